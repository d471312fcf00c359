package dev.palisade.upstream.testbed;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What dig or kdig printed, parsed. Record lines are kept as text with the column tabs turned into
 * single spaces ({@code "example.test. 300 IN A 127.0.0.53"}); spaces inside rdata are kept.
 *
 * @param exitCode the tool's exit code (dig: 9 when no server answered)
 * @param status the RCODE name (NOERROR, SERVFAIL, NXDOMAIN...), or null when no reply was printed
 * @param flags header flags in lower case: qr, aa, tc, rd, ra, ad, cd
 * @param question the question line as printed, e.g. {@code "ExAmple.test. IN A"}: the case the
 *     server echoed back
 * @param edns whether the reply had an OPT record
 * @param udpSize the OPT record's UDP payload size, or -1 without one
 * @param ednsFlags EDNS flags in lower case, e.g. do
 * @param ednsOptions the other lines of the OPT pseudosection, e.g. {@code "EDE: 18 (Prohibited)"}
 * @param output everything the tool printed, stdout and stderr
 */
public record DigResult(
    int exitCode,
    String status,
    Set<String> flags,
    String question,
    List<String> answers,
    List<String> authority,
    List<String> additional,
    boolean edns,
    int udpSize,
    Set<String> ednsFlags,
    List<String> ednsOptions,
    String output) {

  private static final String HEADER = "->>HEADER<<-";
  private static final Pattern STATUS = Pattern.compile("status: ([A-Z0-9]+)");
  private static final Pattern FLAGS = Pattern.compile("^;; [Ff]lags:([^;]*);");
  private static final Pattern EDNS_FLAGS = Pattern.compile("flags:([^;]*)(;|$)");
  private static final Pattern UDP_SIZE = Pattern.compile("(?i)udp(?: size)?: (\\d+)");
  /** dig and kdig separate the columns of a record with tabs (kdig pads the owner with spaces too). */
  private static final Pattern COLUMN_GAP = Pattern.compile("[ \\t]*\\t[ \\t]*");
  /** dig and kdig name the OPT record's section differently. */
  private static final Set<String> OPT_SECTIONS = Set.of("OPT PSEUDOSECTION", "EDNS PSEUDOSECTION");
  private static final Set<String> CLASSES = Set.of("IN", "CH", "HS", "NONE", "ANY");

  public DigResult {
    flags = Set.copyOf(flags);
    answers = List.copyOf(answers);
    authority = List.copyOf(authority);
    additional = List.copyOf(additional);
    ednsFlags = Set.copyOf(ednsFlags);
    ednsOptions = List.copyOf(ednsOptions);
  }

  /** Whether a DNS reply was received and printed (false on timeout, refused connection, TLS failure). */
  public boolean replied() {
    return status != null;
  }

  public boolean hasFlag(String flag) {
    return flags.contains(flag.toLowerCase(Locale.ROOT));
  }

  /** The owner name in the question section, as printed. */
  public String questionName() {
    return question == null ? null : question.split(" ", 2)[0];
  }

  /** The rdata of the answer records of {@code type}, e.g. {@code ["127.0.0.53"]} for A. */
  public List<String> answersOf(String type) {
    List<String> rdata = new ArrayList<>();
    for (String record : answers) {
      String[] fields = record.split(" ", -1);
      // owner [ttl] class type rdata...: find the class, since +nottlid drops the ttl column
      for (int i = 1; i < Math.min(fields.length - 1, 3); i++) {
        if (CLASSES.contains(fields[i]) || fields[i].startsWith("CLASS")) {
          if (fields[i + 1].equalsIgnoreCase(type)) {
            rdata.add(String.join(" ", Arrays.copyOfRange(fields, i + 2, fields.length)));
          }
          break;
        }
      }
    }
    return rdata;
  }

  /** The output itself, so that a failed assertion shows what the tool printed. */
  @Override
  public String toString() {
    return "exit code " + exitCode + ":\n" + output;
  }

  /**
   * Parses dig or kdig output. Only the last message printed counts: with {@code +qr} the query is
   * printed first, and after a truncated UDP reply dig prints only the TCP retry's reply.
   */
  static DigResult parse(int exitCode, String output) {
    int header = output.lastIndexOf(HEADER);
    if (header < 0) {
      return new DigResult(exitCode, null, Set.of(), null, List.of(), List.of(), List.of(), false, -1, Set.of(),
          List.of(), output);
    }
    String status = null;
    Set<String> flags = new LinkedHashSet<>();
    String question = null;
    List<String> answers = new ArrayList<>();
    List<String> authority = new ArrayList<>();
    List<String> additional = new ArrayList<>();
    boolean edns = false;
    int udpSize = -1;
    Set<String> ednsFlags = new LinkedHashSet<>();
    List<String> ednsOptions = new ArrayList<>();

    String section = "";
    for (String line : output.substring(output.lastIndexOf('\n', header) + 1).split("\n")) {
      if (line.isBlank()) {
        section = "";
      } else if (line.contains(HEADER)) {
        Matcher m = STATUS.matcher(line);
        status = m.find() ? m.group(1) : null;
      } else if (FLAGS.matcher(line).find()) {
        Matcher m = FLAGS.matcher(line);
        m.find();
        flags.addAll(words(m.group(1)));
      } else if (line.startsWith(";; ") && line.endsWith("SECTION:")) {
        section = line.substring(3, line.length() - ":".length());
        edns |= OPT_SECTIONS.contains(section);
      } else if (OPT_SECTIONS.contains(section)) {
        String text = line.replaceFirst("^;+\\s*", "");
        if (text.startsWith("EDNS:") || text.startsWith("Version:")) {
          Matcher f = EDNS_FLAGS.matcher(text);
          if (f.find()) {
            ednsFlags.addAll(words(f.group(1)));
          }
          Matcher u = UDP_SIZE.matcher(text);
          udpSize = u.find() ? Integer.parseInt(u.group(1)) : udpSize;
        } else {
          ednsOptions.add(text);
        }
      } else if (section.equals("QUESTION SECTION")) {
        question = tidy(line.replaceFirst("^;+\\s*", ""));
      } else if (section.equals("ANSWER SECTION")) {
        answers.add(tidy(line));
      } else if (section.equals("AUTHORITY SECTION")) {
        authority.add(tidy(line));
      } else if (section.equals("ADDITIONAL SECTION")) {
        additional.add(tidy(line));
      }
    }
    return new DigResult(exitCode, status, flags, question, answers, authority, additional, edns, udpSize,
        ednsFlags, ednsOptions, output);
  }

  private static String tidy(String line) {
    return COLUMN_GAP.matcher(line.strip()).replaceAll(" ");
  }

  private static List<String> words(String text) {
    return text.isBlank() ? List.of() : List.of(text.strip().toLowerCase(Locale.ROOT).split("\\s+"));
  }
}
