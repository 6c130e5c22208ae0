package org.bigarrays.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@link FastPath} against picocli, the reference: on random command lines, whatever the fast
 * path accepts picocli parses without error to the same fields; what it declines goes to picocli.
 */
class FastPathTest {
    private static final List<String> TOKENS = List.of("--box", "--box=0,0,0:4,4,4", "0,0,0:64,64,64", "-1,2,4:7,11,12", "-o", "--output",
            "--output=o.npy", "-o=x.npy", "-oout.raw", "-", "o.npy", "--memory", "--memory=1G", "64M", "--mip", "--mip=1", "1", "01", "+1",
            "0x10", "1234567890", "-5", "--fill", "7", "NaN", "--strict", "--strict=true", "--threads", "--io", "2", "--debug", "--help", "-h",
            "-V", "--version", "--", "@args.txt", "", "file:///tmp/layer", "s3://bucket/layer", "layer", "--nosuch", "--bo", "-x", "=",
            "--box=", "--threads=3", "--io=16", "--json", "--count", "--json=true");

    @Provide
    Arbitrary<List<String>> commandLines() {
        Arbitrary<String> token = Arbitraries.of(TOKENS);
        // Mostly well-formed cutouts with options (valid or not) and random tokens mixed in, so both paths are taken often.
        Arbitrary<List<String>> pair = Arbitraries.of("--memory", "--mip", "--fill", "--threads", "--io", "--box", "-o", "--strict", "--debug")
                .flatMap(o -> Arbitraries.of("1", "2", "64M", "-5", "0x2", "-", "7", "NaN", "x").map(v -> List.of(o, v)));
        Arbitrary<List<String>> cutout = Arbitraries.oneOf(pair, token.map(List::of)).list().ofMaxSize(3).map(extra -> {
            List<String> l = new ArrayList<>(List.of("cutout", "layer", "--box", "0,0,0:1,1,1", "-o", "o.npy"));
            for (List<String> t : extra) l.addAll(1 + Math.floorMod(t.hashCode() * 31 + l.size(), l.size()), t);
            return l;
        });
        Arbitrary<List<String>> any = Arbitraries.of("cutout", "info").flatMap(cmd -> token.list().ofMaxSize(8).map(rest -> {
            List<String> l = new ArrayList<>(rest);
            l.addFirst(cmd);
            return l;
        }));
        return Arbitraries.oneOf(cutout, any);
    }

    @Property(tries = 400)
    void acceptedCommandLinesParseAsPicocliParsesThem(@ForAll("commandLines") List<String> args) {
        String[] a = args.toArray(String[]::new);
        Callable<Integer> fast = FastPath.parse(a);
        Statistics.label("fast path").collect(fast != null);
        if (fast == null) return;
        CommandLine cl = new CommandLine(new Main());
        CommandLine.ParseResult parsed = cl.parseArgs(a); // throws if picocli would have refused it
        Object ref = parsed.subcommand().commandSpec().userObject();
        assertEquals(ref.getClass(), fast.getClass(), args::toString);
        assertEquals(fields(ref), fields(fast), args::toString);
    }

    @Test
    void plainCommandLinesTakeTheFastPath() {
        CutoutCommand c = assertInstanceOf(CutoutCommand.class,
                FastPath.parse(new String[] {"cutout", "u", "--box", "-1,0,0:1,1,1", "--output=-", "--mip", "2", "--strict", "--threads=3"}));
        assertEquals(Arrays.asList("u", "-1,0,0:1,1,1", "-", "256M", "xyz", 2, null, true, 3, null), fields(c));
        assertNotNull(FastPath.parse(new String[] {"info", "file:///x"}));
        InfoCommand i = assertInstanceOf(InfoCommand.class, FastPath.parse(new String[] {"info", "--count", "file:///x", "--json"}));
        assertEquals(List.of("file:///x", true, true), fields(i));
        assertNull(FastPath.parse(new String[] {"info", "--json", "x", "--json"}));
        assertNull(FastPath.parse(new String[] {"cutout", "u", "--box", "0,0,0:1,1,1", "-o", "x", "--help"}));
        assertNull(FastPath.parse(new String[] {"info", "@args"}));
        assertNull(FastPath.parse(new String[] {"write", "u"}));
    }

    /** The fields a command runs with. */
    private static List<Object> fields(Object cmd) {
        if (cmd instanceof InfoCommand i) return List.of(i.url, i.json, i.count);
        CutoutCommand c = (CutoutCommand) cmd;
        return Arrays.asList(c.url, c.box, c.output, c.memory, c.axes, c.rw.mip, c.rw.fill, c.strict, c.rw.threads, c.rw.io);
    }
}
