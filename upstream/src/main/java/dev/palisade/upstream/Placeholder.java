package dev.palisade.upstream; final class Placeholder {}
