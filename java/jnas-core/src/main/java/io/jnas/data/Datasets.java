package io.jnas.data;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Opens a data set from a spec: a folder (format detected from its contents) or
 * {@code synthetic[:key=value,...]}.
 *
 * <ul>
 *   <li>a folder with {@code data_batch_N.bin} files: CIFAR-10, binary version ({@link Cifar10});
 *   <li>a folder with {@code train-images-idx3-ubyte[.gz]}: an MNIST-style IDX set (MNIST,
 *       Fashion-MNIST, ...; class names from an optional {@code classes.txt}) ({@link Idx});
 *   <li>{@code synthetic}, optionally {@code synthetic:train=10000,val=2000,test=2000,seed=0}
 *       (those are the defaults): {@link SyntheticDataset}.
 * </ul>
 */
public final class Datasets {
  /** The spec of the default data set. */
  public static final String DEFAULT_SPEC = "synthetic";

  private static final String EXPECTED = "expected a CIFAR-10 binary folder (data_batch_N.bin, test_batch.bin,"
      + " batches.meta.txt), an MNIST-style folder (train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz],"
      + " t10k-images-idx3-ubyte[.gz], t10k-labels-idx1-ubyte[.gz], optional classes.txt), or 'synthetic[:train=N,val=N,test=N,seed=S]'";

  private Datasets() {}

  /**
   * Opens {@code spec}: {@code synthetic[:...]} or a folder path.
   *
   * @throws IllegalArgumentException (or {@link DataFormatException}) naming the spec, file or
   *     key and what was expected
   */
  public static DataSource open(String spec) {
    String s = spec.strip();
    if (s.equals("synthetic") || s.startsWith("synthetic:")) return synthetic(s);
    return open(Path.of(s));
  }

  /**
   * Opens the data set in folder {@code dir}, detecting its format from the files there.
   *
   * @throws DataFormatException naming the folder and listing what was expected when nothing
   *     is recognised (and any subfolders that would be)
   */
  public static DataSource open(Path dir) {
    if (!Files.exists(dir)) throw new DataFormatException(dir, "not found; " + EXPECTED);
    if (!Files.isDirectory(dir)) throw new DataFormatException(dir, "is a file, not a folder; " + EXPECTED);
    if (Cifar10.recognises(dir)) return Cifar10.open(dir);
    if (Idx.recognises(dir)) return Idx.open(dir);
    List<String> candidates = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      for (Path p : ds) {
        if (Files.isDirectory(p) && (Cifar10.recognises(p) || Idx.recognises(p))) candidates.add(p.toString());
      }
    } catch (IOException e) {
      throw new DataFormatException(dir, "cannot list the folder: " + e.getMessage(), e);
    }
    candidates.sort(null);
    throw new DataFormatException(dir, "no known data set format; " + EXPECTED
        + (candidates.isEmpty() ? "" : "; these subfolders would do: " + String.join(", ", candidates)));
  }

  private static DataSource synthetic(String spec) {
    int train = 10000, val = 2000, test = 2000;
    long seed = 0;
    int colon = spec.indexOf(':');
    if (colon >= 0) {
      for (String kv : spec.substring(colon + 1).split(",")) {
        if (kv.isBlank()) continue;
        int eq = kv.indexOf('=');
        String key = eq < 0 ? kv.strip() : kv.substring(0, eq).strip().toLowerCase(Locale.ROOT);
        String value = eq < 0 ? "" : kv.substring(eq + 1).strip();
        try {
          switch (key) {
            case "train" -> train = Integer.parseInt(value);
            case "val", "validation" -> val = Integer.parseInt(value);
            case "test" -> test = Integer.parseInt(value);
            case "seed" -> seed = Long.parseLong(value);
            default -> throw new IllegalArgumentException("data set '" + spec + "': unknown key '" + key
                + "', expected train, val, test or seed (e.g. synthetic:train=10000,val=2000,test=2000,seed=0)");
          }
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("data set '" + spec + "': " + key + "='" + value
              + "' is not a whole number");
        }
      }
    }
    return SyntheticDataset.open(train, val, test, seed);
  }
}
