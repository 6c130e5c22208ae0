package org.bigarrays.cli;

import java.util.concurrent.Callable;
import org.bigarrays.array.BigArray;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code bigarrays info URL}: print the layer's info JSON. */
@Command(name = "info", mixinStandardHelpOptions = true, versionProvider = VersionCommand.Provider.class,
        description = "Print a layer's info JSON.")
final class InfoCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "URL", description = "Layer URL: path, file://, mem://.")
    String url;

    @Override
    public Integer call() {
        try (BigArray a = BigArray.open(url)) {
            System.out.println(a.info().toJson());
        }
        return Main.OK;
    }
}
