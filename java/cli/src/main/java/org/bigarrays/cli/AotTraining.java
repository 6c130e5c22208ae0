package org.bigarrays.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.bigarrays.core.DataType;

/**
 * The training run for the JDK's ahead-of-time cache (JEP 483/514/515), which the {@code bigarrays}
 * launcher makes once per build of the CLI jar: {@code java -XX:AOTCacheOutput=... -cp JAR
 * org.bigarrays.cli.AotTraining}. It runs the commands users run most, in one JVM, on small
 * layers in a temporary directory (create, write, cutout to .npy and raw, info, transcode; raw,
 * gzip and zstd, uint8 and uint64; info and cutout through the S3 client from a local stand-in,
 * {@link TrainingS3Server}), so their classes are loaded, linked and profiled into the
 * cache and a later cutout starts from it. Output is discarded; a failing step fails the training
 * (exit 1), and the launcher then runs without a cache. For {@code cutout} and {@code info} the
 * launcher trains a cache of the reads alone ({@code prepare} then {@code read}, see {@link #main}).
 */
final class AotTraining {
    private static final List<String> AWS_SETTINGS = List.of("aws.accessKeyId", "aws.secretAccessKey", "aws.region");

    private AotTraining() {}

    /**
     * {@code java ... AotTraining [s3]}: with {@code s3}, the steps through the S3 client too.
     * {@code AotTraining prepare DIR} (run without recording) writes the layers the reads need,
     * and {@code AotTraining read DIR [s3]} then runs only the reads (info and cutouts) on them:
     * the caches for {@code cutout} and {@code info}, which hold no class of the write path.
     */
    public static void main(String[] args) throws IOException {
        String mode = args.length > 0 ? args[0] : "";
        Main.addCleanupHook(); // as Main.main does
        int rc = switch (mode) {
            case "prepare", "read" -> {
                if (args.length < 2 || args.length > 3) throw new IllegalArgumentException("usage: AotTraining " + mode + " DIR [s3]");
                Path dir = Path.of(args[1]);
                yield mode.equals("prepare") ? runSteps(writeSteps(dir)) : read(dir, args.length == 3 && args[2].equals("s3"));
            }
            default -> train(mode.equals("s3"));
        };
        System.exit(rc == 0 ? 0 : 1);
    }

    /** The local steps alone (see {@link #train(boolean)}). */
    static int train() throws IOException {
        return train(false);
    }

    /**
     * Run every step, with {@code s3} also an info and a cutout through the S3 client; 0 when all
     * succeeded, else the failing step's exit code (named on stderr). The launcher keeps several caches
     * because a cache's classes are all loaded at start: the S3 client's ~2,000 would slow every
     * local command down, so they are only in the caches used for s3:// URLs, and the write path's
     * are left out of the ones for cutouts and infos.
     */
    static int train(boolean s3steps) throws IOException {
        Path dir = Files.createTempDirectory("bigarrays-aot-training");
        try {
            int rc = runSteps(writeSteps(dir));
            return rc != 0 ? rc : read(dir, s3steps);
        } finally {
            LocalFolders.deleteTree(dir);
        }
    }

    /**
     * The {@link #readSteps} of the layers under {@code dir}, with {@code s3steps} also an info
     * and a cutout through the S3 client from a {@link TrainingS3Server} serving {@code dir}.
     */
    static int read(Path dir, boolean s3steps) throws IOException {
        java.util.Map<String, String> saved = new java.util.HashMap<>();
        try (TrainingS3Server s3 = s3steps ? new TrainingS3Server(dir) : null) {
            // The S3 client finds these as it would find a user's environment (the SDK's default chains).
            for (String k : AWS_SETTINGS) saved.put(k, System.getProperty(k));
            System.setProperty("aws.accessKeyId", "training");
            System.setProperty("aws.secretAccessKey", "training");
            System.setProperty("aws.region", "us-east-1");
            List<String[]> steps = readSteps(dir);
            if (s3 != null) {
                String s3raw = "s3://" + TrainingS3Server.BUCKET + "/demo/raw/?endpoint=" + s3.endpoint();
                steps.add(new String[] {"info", s3raw});
                steps.add(new String[] {"cutout", s3raw, "--box", "0,0,0:64,64,64", "-o", dir.resolve("s3.npy").toString()});
            }
            return runSteps(steps);
        } finally {
            saved.forEach((k, v) -> {
                if (v == null) System.clearProperty(k);
                else System.setProperty(k, v);
            });
        }
    }

    /**
     * Run {@code steps} with output discarded, stopping at the first that fails; 0 when all
     * succeeded, else the failing step's exit code (named on stderr).
     */
    static int runSteps(List<String[]> steps) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        try {
            PrintStream sink = new PrintStream(OutputStream.nullOutputStream());
            System.setOut(sink);
            System.setErr(sink);
            for (String[] step : steps) {
                int rc = Main.run(step);
                if (rc != 0) {
                    err.println("bigarrays: AOT training step failed (exit " + rc + "): " + String.join(" ", step));
                    return rc;
                }
            }
            return 0;
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    /** The steps that write the layers {@link #readSteps} reads, under {@code dir}. */
    static List<String[]> writeSteps(Path dir) throws IOException {
        String demo = dir.resolve("demo").toString();
        String gzip = dir.resolve("demo/gzip").toUri().toString();
        Path labelsNpy = dir.resolve("labels.npy");
        try (OutputStream o = new java.io.BufferedOutputStream(Files.newOutputStream(labelsNpy))) {
            Npy.writeHeader(o, DataType.UINT64, new long[] {64, 64, 64});
            for (long i = 0; i < 64L * 64 * 64; i++) {
                long label = (i / 64 % 64 / 8) * 8 + i / 4096 / 16; // blocks of a few labels, as segmentations are
                for (int b = 0; b < 8; b++) o.write((int) (label >>> (8 * b)));
            }
        }
        List<String[]> s = new ArrayList<>();
        s.add(new String[] {"demo", "--dir", demo, "--size", "128,128,64", "--cutouts", "2"});
        s.add(new String[] {"transcode", gzip, uri(dir, "zstd"), "--compress", "zstd"});
        s.add(new String[] {"create", uri(dir, "labels"), "--dtype", "uint64", "--size", "64,64,64", "--chunk", "32,32,32", "--type", "segmentation",
                "--encoding", "compressed_segmentation"});
        s.add(new String[] {"write", uri(dir, "labels"), labelsNpy.toString(), "--at", "0,0,0", "--compress", "gzip"});
        return s;
    }

    /** Info and cutouts (one chunk to .npy, a box across chunks to raw) of the layers {@link #writeSteps} wrote. */
    static List<String[]> readSteps(Path dir) {
        String npy = dir.resolve("cut.npy").toString();
        List<String[]> s = new ArrayList<>();
        for (String layer : new String[] {uri(dir, "demo/raw"), uri(dir, "demo/gzip")}) {
            s.add(new String[] {"info", layer});
            s.add(new String[] {"cutout", layer, "--box", "0,0,0:64,64,64", "-o", npy});
            s.add(new String[] {"cutout", layer, "--box", "10,20,5:100,90,60", "-o", dir.resolve("cut.raw").toString()});
        }
        s.add(new String[] {"cutout", uri(dir, "zstd"), "--box", "0,0,0:64,64,64", "-o", npy});
        s.add(new String[] {"cutout", uri(dir, "labels"), "--box", "0,0,0:64,64,64", "-o", npy});
        return s;
    }

    private static String uri(Path dir, String layer) {
        return dir.resolve(layer).toUri().toString();
    }

}
