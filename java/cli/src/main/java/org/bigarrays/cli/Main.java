package org.bigarrays.cli;

import java.io.PrintWriter;
import org.bigarrays.BigArraysException;
import org.bigarrays.CorruptChunkException;
import org.bigarrays.FormatException;
import org.bigarrays.InvalidInputException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code bigarrays} command. Exit codes: 0 ok, 1 runtime failure (storage, corrupt chunk, out
 * of memory, a bug), 2 bad usage or input (arguments, boxes, files, a layer whose info is invalid).
 * Errors are printed on one line; {@code --debug} adds the stack trace and debug logs. Killed by
 * SIGINT or SIGTERM it exits 130 or 143 (the JVM's own codes) after deleting its temp files.
 */
@Command(name = "bigarrays", mixinStandardHelpOptions = true, versionProvider = VersionCommand.Provider.class,
        description = "Store and cut out huge N-d arrays in the Neuroglancer precomputed format.",
        subcommands = {InfoCommand.class, CreateCommand.class, CutoutCommand.class, WriteCommand.class,
                DemoCommand.class, TranscodeCommand.class, DownsampleCommand.class, VerifyCommand.class, ServeCommand.class, ViewCommand.class, IngestCommand.class, VersionCommand.class})
public final class Main implements Runnable {
    static final int OK = 0;
    static final int FAILURE = 1;
    static final int BAD_INPUT = 2;

    @Option(names = "--debug", description = "Print stack traces and debug logs.", scope = CommandLine.ScopeType.INHERIT)
    boolean debug;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(new CommandLine(this), "missing command: try 'bigarrays --help'");
    }

    public static void main(String[] args) {
        addCleanupHook();
        int rc = run(args);
        if (rc == OK && onlyDaemonThreadsLeft()) {
            // Returning ends the JVM as System.exit(0) does (the hooks run), without the System.Logger
            // lookup Runtime.exit makes, which costs a one-chunk cutout ~20 ms of CPU.
            return;
        }
        System.exit(rc);
    }

    /**
     * On SIGINT/SIGTERM the JVM runs the hooks and exits 130/143: delete the temp files of the
     * writes and cutout in flight, which would otherwise stay until the next write there.
     * (AotTraining adds it too, so the AOT cache holds the hook's lambda.)
     */
    static void addCleanupHook() {
        Runtime.getRuntime().addShutdownHook(new Thread(Main::removeOwnTemporaries, "bigarrays-cleanup"));
    }

    /** Whether every other live platform thread is a daemon: then returning from main ends the JVM at once. */
    static boolean onlyDaemonThreadsLeft() {
        ThreadGroup root = Thread.currentThread().getThreadGroup();
        while (root.getParent() != null) root = root.getParent();
        Thread[] threads = new Thread[root.activeCount() + 16];
        int n = root.enumerate(threads, true);
        if (n == threads.length) return false; // more than were counted: do not guess
        for (int i = 0; i < n; i++) {
            if (threads[i] != Thread.currentThread() && threads[i].isAlive() && !threads[i].isDaemon()) return false;
        }
        return true;
    }

    private static void removeOwnTemporaries() {
        org.bigarrays.kvstore.FileStore.removeOwnTemporaries();
    }

    /** Run the CLI and return its exit code; tests call it in-process or in a subprocess via main. */
    static int run(String[] args) {
        boolean debug = java.util.Arrays.asList(args).contains("--debug");
        configureLogging(debug);
        java.util.concurrent.Callable<Integer> fast = FastPath.parse(args);
        if (fast != null) {
            // A plain cutout or info: picocli's model costs more than the command (see FastPath).
            try {
                return fast.call();
            } catch (Throwable t) {
                return report(t, debug, new PrintWriter(System.err, true));
            }
        }
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> report(ex, debug, cmd.getErr()));
        cl.setParameterExceptionHandler((ex, a) -> {
            PrintWriter err = ex.getCommandLine().getErr();
            if (debug) ex.printStackTrace(err);
            String name = ex.getCommandLine().getCommandName();
            err.println("bigarrays: usage error: " + usageMessage(ex) + " (try 'bigarrays "
                    + (name.equals("bigarrays") ? "" : name + " ") + "--help')");
            err.flush();
            return BAD_INPUT;
        });
        try {
            return cl.execute(args);
        } catch (Throwable t) {
            // picocli hands only Exceptions to the handler: Errors (OutOfMemoryError,
            // StackOverflowError, ...) come out here and still get one line and an exit code.
            return report(t, debug, new PrintWriter(System.err, true));
        }
    }

    /**
     * The one line for a usage error: picocli's message, with its "did you mean" suggestions (picocli
     * prints them on lines of their own; here they join the line), and one sentence instead of
     * a list of names when the shell expanded an unquoted glob into ingest's arguments.
     */
    static String usageMessage(CommandLine.ParameterException ex) {
        if (ex instanceof CommandLine.UnmatchedArgumentException u) {
            String name = ex.getCommandLine().getCommandName();
            java.util.List<String> extra = u.getUnmatched();
            if (name.equals("ingest") && !extra.isEmpty() && extra.stream().noneMatch(x -> x.startsWith("-"))) {
                Object src = ex.getCommandLine().getCommandSpec().positionalParameters().getFirst().getValue();
                return "ingest takes one SRC: quote a glob so the shell does not expand it (" + globOf(String.valueOf(src)) + "); got "
                        + (extra.size() + 2) + " arguments";
            }
            java.util.List<String> suggestions = u.getSuggestions();
            if (suggestions.isEmpty() && !extra.isEmpty()) suggestions = nearNames(ex.getCommandLine(), extra.getFirst());
            String m = oneLine(ex.getMessage());
            if (!suggestions.isEmpty()) {
                m += "; did you mean " + String.join(" or ", suggestions.subList(0, Math.min(3, suggestions.size()))) + "?";
            }
            return m;
        }
        return oneLine(ex.getMessage());
    }

    /**
     * Names one typo away from {@code typed} (a letter added, dropped, changed, or two swapped):
     * picocli's suggestions compare letter pairs and miss swaps such as --mpi for --mip.
     */
    static java.util.List<String> nearNames(CommandLine cmd, String typed) {
        String t = typed.contains("=") && typed.startsWith("-") ? typed.substring(0, typed.indexOf('=')) : typed;
        java.util.Collection<String> names = t.startsWith("-") ? cmd.getCommandSpec().optionsMap().keySet() : cmd.getSubcommands().keySet();
        return names.stream().filter(n -> n.length() > 2 && typoDistance(t, n) == 1).sorted().toList();
    }

    /** Optimal string alignment distance: edits with adjacent swaps counted as one. */
    static int typoDistance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) d[i][0] = i;
        for (int j = 0; j <= b.length(); j++) d[0][j] = j;
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
            }
        }
        return d[a.length()][b.length()];
    }

    /** The quoted glob that would have named {@code first}'s siblings: {@code 'dir/*.tif'}. */
    static String globOf(String first) {
        int slash = first.lastIndexOf('/');
        int dot = first.lastIndexOf('.');
        String ext = dot > slash ? first.substring(dot) : "";
        return "'" + first.substring(0, slash + 1) + "*" + ext + "'";
    }

    /** Print {@code t} as one line (plus the trace with --debug) and return its exit code. */
    static int report(Throwable t, boolean debug, PrintWriter err) {
        if (debug) t.printStackTrace(err);
        err.println("bigarrays: error: " + message(t));
        err.flush();
        return exitCode(t);
    }

    /** 2 for bad input (including an invalid info, which no retry will fix), else 1. */
    static int exitCode(Throwable t) {
        if (t instanceof InvalidInputException) return BAD_INPUT;
        if (t instanceof FormatException && !(t instanceof CorruptChunkException)) return BAD_INPUT;
        return FAILURE;
    }

    private static final java.util.regex.Pattern URL_HOST = java.util.regex.Pattern.compile("\\b(https?)://([^/\\s:'\"?]+)(?::(\\d+))?");
    private static final java.util.regex.Pattern HOST_PORT = java.util.regex.Pattern.compile("([\\w.-]+(?:/[\\d.]+)?):(\\d+)");

    /**
     * "cannot connect to HOST:PORT (connection refused)" when a connection was refused somewhere
     * in {@code ex}'s causes (the JDK's ConnectException often has no message at all), else null.
     * The host and port come from the exception when it names them, else from the first URL in
     * the messages (the store's), with the scheme's default port.
     */
    static String connectionRefused(Throwable ex) {
        Throwable refused = null;
        StringBuilder all = new StringBuilder();
        for (Throwable t = ex; t != null && all.length() < 10_000; t = t.getCause() == t ? null : t.getCause()) {
            if (t.getMessage() != null) all.append(t.getMessage()).append('\n');
            boolean says = t.getMessage() != null && t.getMessage().toLowerCase(java.util.Locale.ROOT).contains("connection refused");
            if (refused == null && (t instanceof java.net.ConnectException || says)) refused = t;
        }
        if (refused == null) return null;
        String where = null;
        if (refused.getMessage() != null) {
            java.util.regex.Matcher hp = HOST_PORT.matcher(refused.getMessage());
            if (hp.find()) {
                // "host/10.0.0.1:9000" (InetSocketAddress): the name people typed; "/10.0.0.1:9000": the address.
                String h = hp.group(1);
                int slash = h.indexOf('/');
                where = (slash > 0 ? h.substring(0, slash) : h.substring(slash + 1)) + ":" + hp.group(2);
            }
        }
        if (where == null) {
            java.util.regex.Matcher u = URL_HOST.matcher(all);
            if (u.find()) where = u.group(2) + ":" + (u.group(3) != null ? u.group(3) : u.group(1).equals("https") ? "443" : "80");
        }
        if (where == null) return null;
        return "cannot connect to " + where + " (connection refused)";
    }

    /** The one-line message for {@code ex}. */
    static String message(Throwable ex) {
        String refused = connectionRefused(ex);
        if (refused != null) {
            // The host and port first; the store's own words (which request, how many tries) after.
            return refused + ": " + oneLine(ex.getMessage() == null ? ex.toString() : ex.getMessage()).replaceFirst("(; last error)?:? ?((GET|PUT|HEAD|DELETE|POST): )?java\\.net\\.ConnectException$", "");
        }
        if (ex instanceof OutOfMemoryError) {
            return "out of memory (" + oneLine(ex.getMessage()) + "): try a smaller box, fewer --threads, or more memory (BIGARRAYS_JAVA_OPTS=-Xmx...)";
        }
        if (ex instanceof StackOverflowError) return "stack overflow (a bug: run with --debug and report it)";
        String m;
        if (ex instanceof BigArraysException || ex.getMessage() != null && !(ex instanceof NullPointerException)) {
            m = ex.getMessage();
            if (!(ex instanceof BigArraysException) && !(ex instanceof java.io.IOException)) m = ex.getClass().getSimpleName() + ": " + m;
        } else {
            m = ex.toString();
        }
        return oneLine(m);
    }

    /** {@code s} with line breaks turned into spaces, so that every error is one line. */
    static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s*[\\r\\n]+\\s*", " ").trim();
    }

    private static void configureLogging(boolean debug) {
        System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", debug ? "debug" : "warn");
        System.setProperty("org.slf4j.simpleLogger.showThreadName", "false");
        System.setProperty("org.slf4j.simpleLogger.levelInBrackets", "true");
        // serve/view: one access log line per request (turn off with -D...access=warn in BIGARRAYS_JAVA_OPTS).
        if (System.getProperty("org.slf4j.simpleLogger.log.org.bigarrays.server.access") == null) {
            System.setProperty("org.slf4j.simpleLogger.log.org.bigarrays.server.access", "info");
        }
    }
}
