package io.archipelago.sim.trace;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A local directory holding the files of one trace dataset plus a {@value #CHECKSUM_FILE} file.
 *
 * <p>{@value #CHECKSUM_FILE} uses the {@code sha256sum} format ({@code <hex>  <name>} per line,
 * sorted by name), so {@code sha256sum -c SHA256SUMS} checks the cache by hand. It records every
 * file the downloader stored: pinned files with their pinned sum, unpinned files with the sum seen
 * on first download. The expected sum of a file is its pinned sum if it has one, otherwise the
 * recorded sum, otherwise none.
 *
 * <p>Not safe for two processes updating the same directory at once: the last writer of
 * {@value #CHECKSUM_FILE} wins. Data files themselves are always replaced atomically.
 */
public final class TraceCache {

  /** Name of the checksum file inside the cache directory. */
  public static final String CHECKSUM_FILE = "SHA256SUMS";

  private final Path dir;

  /** A cache rooted at {@code dir}; the directory need not exist yet. */
  public TraceCache(Path dir) {
    this.dir = Objects.requireNonNull(dir, "dir").toAbsolutePath().normalize();
  }

  /** The cache directory, absolute. */
  public Path dir() {
    return dir;
  }

  /** Where {@code file} lives in this cache. */
  public Path pathOf(TraceFile file) {
    return dir.resolve(file.name());
  }

  /** The {@value #CHECKSUM_FILE} path. */
  public Path checksumFile() {
    return dir.resolve(CHECKSUM_FILE);
  }

  /**
   * Reads {@value #CHECKSUM_FILE}.
   *
   * @return file name to lower-case hex SHA-256, sorted by name; empty if the file does not exist
   * @throws TraceDownloadException if it cannot be read or a line is malformed (names the line)
   */
  public Map<String, String> recordedSums() throws TraceDownloadException {
    Path sums = checksumFile();
    List<String> lines;
    try {
      lines = Files.readAllLines(sums, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return new TreeMap<>();
    } catch (IOException e) {
      throw new TraceDownloadException("cannot read " + sums + ": " + e.getMessage(), e);
    }
    Map<String, String> result = new TreeMap<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String[] parts = line.split("\\s+", 2);
      String name = parts.length == 2 ? parts[1].strip() : "";
      if (name.startsWith("*")) {
        name = name.substring(1); // sha256sum's binary-mode marker
      }
      String sum = parts[0].toLowerCase(Locale.ROOT);
      if (name.isEmpty() || !sum.matches("[0-9a-f]{64}")) {
        throw new TraceDownloadException(sums + " line " + (i + 1) + " is not '<sha256>  <file>': '"
            + line + "'; fix or delete that line (the file will then be re-verified on next download)");
      }
      result.put(name, sum);
    }
    return result;
  }

  /**
   * The checksum {@code file} must have: the pinned one, else the one recorded in
   * {@value #CHECKSUM_FILE}, else empty.
   */
  public Optional<String> expectedSha256(TraceFile file) throws TraceDownloadException {
    if (file.isPinned()) {
      return file.pinnedSha256();
    }
    return Optional.ofNullable(recordedSums().get(file.name()));
  }

  /**
   * Records {@code sha256} for {@code fileName} in {@value #CHECKSUM_FILE}, replacing any previous
   * line for that name. The file is rewritten atomically.
   */
  public void record(String fileName, String sha256) throws TraceDownloadException {
    TraceFile.requireSha256(sha256, "sha256 of " + fileName);
    Map<String, String> sums = recordedSums();
    sums.put(fileName, sha256);
    StringBuilder text = new StringBuilder();
    sums.forEach((name, sum) -> text.append(sum).append("  ").append(name).append('\n'));
    Path target = checksumFile();
    Path tmp = null;
    try {
      Files.createDirectories(dir);
      tmp = Files.createTempFile(dir, "." + CHECKSUM_FILE + ".", ".part");
      Files.writeString(tmp, text, StandardCharsets.UTF_8);
      moveAtomically(tmp, target);
      tmp = null;
    } catch (IOException e) {
      throw new TraceDownloadException("cannot update " + target + ": " + e.getMessage()
          + "; check that the cache directory is writable", e);
    } finally {
      deleteQuietly(tmp);
    }
  }

  /** State of one file in the cache, as reported by {@link #inspect}. */
  public enum State {
    /** Not present. */
    MISSING,
    /** Present and matches its pinned or recorded checksum. */
    VERIFIED,
    /** Present, but no checksum is pinned or recorded for it. */
    UNVERIFIED,
    /** Present and does not match its expected checksum. */
    CORRUPT
  }

  /**
   * One inspected file.
   *
   * @param file the manifest entry
   * @param path where it would live
   * @param state what was found
   * @param bytes size on disk, or {@code -1} when missing
   */
  public record Entry(TraceFile file, Path path, State state, long bytes) { }

  /**
   * Hashes each file that is present and compares it with its expected checksum. Reads every
   * present file in full.
   */
  public List<Entry> inspect(List<TraceFile> files) throws TraceDownloadException {
    Map<String, String> recorded = recordedSums();
    List<Entry> entries = new ArrayList<>(files.size());
    for (TraceFile file : files) {
      Path path = pathOf(file);
      if (!Files.isRegularFile(path)) {
        entries.add(new Entry(file, path, State.MISSING, -1));
        continue;
      }
      Optional<String> expected = file.pinnedSha256().or(() -> Optional.ofNullable(recorded.get(file.name())));
      try {
        long size = Files.size(path);
        State state = expected.isEmpty() ? State.UNVERIFIED
            : expected.get().equals(sha256(path)) ? State.VERIFIED : State.CORRUPT;
        entries.add(new Entry(file, path, state, size));
      } catch (IOException e) {
        throw new TraceDownloadException("cannot read " + path + ": " + e.getMessage(), e);
      }
    }
    return entries;
  }

  /** SHA-256 of a file's content, lower-case hex. */
  public static String sha256(Path file) throws IOException {
    MessageDigest digest = newSha256();
    byte[] buffer = new byte[64 * 1024];
    try (InputStream in = Files.newInputStream(file)) {
      for (int n; (n = in.read(buffer)) != -1; ) {
        digest.update(buffer, 0, n);
      }
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  /** A fresh SHA-256 digest (every Java platform must provide one). */
  static MessageDigest newSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JVM has no SHA-256 MessageDigest", e);
    }
  }

  /** Moves {@code from} over {@code to}, atomically where the file system allows. */
  static void moveAtomically(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /** Deletes {@code path} if non-null, ignoring failures (used only on cleanup paths). */
  static void deleteQuietly(Path path) {
    if (path == null) {
      return;
    }
    try {
      Files.deleteIfExists(path);
    } catch (IOException ignored) {
      // best effort: a leftover hidden .part file is harmless
    }
  }
}
