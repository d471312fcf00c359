package dev.palisade.resolver; public final class Main { public static void main(String[] a){} }
