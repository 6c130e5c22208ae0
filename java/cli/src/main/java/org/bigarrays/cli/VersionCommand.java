package org.bigarrays.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code bigarrays version}: the version and which kernels are in use. */
@Command(name = "version", mixinStandardHelpOptions = true, versionProvider = VersionCommand.Provider.class,
        description = "Print the version and the status of each native library (BIGARRAYS_NATIVE=0 turns them all off).")
final class VersionCommand implements Callable<Integer> {
    static String version() {
        String v = VersionCommand.class.getPackage().getImplementationVersion();
        return v == null ? "0.1.0-SNAPSHOT" : v;
    }

    @Override
    public Integer call() {
        System.out.println("bigarrays " + version());
        System.out.println("java " + Runtime.version());
        System.out.println("native kernels: " + nativeStatus());
        // One line per native library: loaded, unavailable (why) or disabled (by which setting).
        for (String line : org.bigarrays.nativ.NativeLibrary.report()) System.out.println("native " + line);
        return Main.OK;
    }

    static String nativeStatus() {
        return org.bigarrays.nativ.NativeLibrary.BIGARRAYS.status();
    }

    static final class Provider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"bigarrays " + version()};
        }
    }
}
