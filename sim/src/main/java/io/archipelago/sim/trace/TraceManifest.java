package io.archipelago.sim.trace;

import java.net.URI;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The files that make up a downloadable trace dataset, and where they are published.
 *
 * <p>Manifests are immutable. Known datasets are looked up by name with {@link #forDataset}.
 *
 * @param dataset short dataset name used on the command line, for example {@code openb}
 * @param defaultBaseUri directory URL the files are fetched from unless the caller overrides it
 * @param files the files, in download order; names are unique
 */
public record TraceManifest(String dataset, URI defaultBaseUri, List<TraceFile> files) {

  /**
   * Alibaba cluster-trace-gpu-v2023 ("openb", CC BY 4.0): both node lists plus the pod lists of
   * the 17 workloads of the FGD study (USENIX ATC'23). The seven files that ship in
   * {@code ../shared/traces/openb} have pinned checksums; the rest are verified by trust on first
   * use.
   */
  public static final TraceManifest OPENB = new TraceManifest(
      "openb",
      URI.create("https://raw.githubusercontent.com/alibaba/clusterdata/master/cluster-trace-gpu-v2023/csv"),
      openbFiles());

  private static final Map<String, TraceManifest> KNOWN = Map.of(OPENB.dataset(), OPENB);

  /**
   * Validates the components and copies the file list.
   *
   * @throws IllegalArgumentException if the list is empty or names a file twice
   */
  public TraceManifest {
    Objects.requireNonNull(dataset, "dataset");
    Objects.requireNonNull(defaultBaseUri, "defaultBaseUri");
    files = List.copyOf(files);
    if (files.isEmpty()) {
      throw new IllegalArgumentException("dataset '" + dataset + "' must list at least one file");
    }
    Set<String> seen = new LinkedHashSet<>();
    for (TraceFile file : files) {
      if (!seen.add(file.name())) {
        throw new IllegalArgumentException("dataset '" + dataset + "' lists " + file.name() + " twice");
      }
    }
  }

  /** Names of all known datasets, sorted. */
  public static List<String> knownDatasets() {
    return List.copyOf(new TreeMap<>(KNOWN).keySet());
  }

  /**
   * Returns the manifest of a known dataset.
   *
   * @throws IllegalArgumentException naming the known datasets if {@code dataset} is not one
   */
  public static TraceManifest forDataset(String dataset) {
    TraceManifest manifest = KNOWN.get(dataset);
    if (manifest == null) {
      throw new IllegalArgumentException("unknown dataset '" + dataset + "'; known datasets: "
          + String.join(", ", knownDatasets()));
    }
    return manifest;
  }

  /** The file called {@code name}, if this dataset has one. */
  public Optional<TraceFile> file(String name) {
    return files.stream().filter(f -> f.name().equals(name)).findFirst();
  }

  /**
   * Resolves a subset of files by name, keeping the caller's order and dropping repeats. Each entry
   * is matched, in this order, as the exact file name, the name without {@code .csv}, or a short
   * name that is the unique {@code _<short>.csv} ending of a file name (so for openb
   * {@code default} means {@code openb_pod_list_default.csv} and {@code gpu_node} means
   * {@code openb_node_list_gpu_node.csv}).
   *
   * @throws IllegalArgumentException naming every unknown or ambiguous entry and listing the valid
   *     names
   */
  public List<TraceFile> select(Collection<String> names) {
    Set<TraceFile> chosen = new LinkedHashSet<>();
    List<String> unknown = new ArrayList<>();
    for (String raw : names) {
      resolve(raw.strip()).ifPresentOrElse(chosen::add, () -> unknown.add(raw));
    }
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException("dataset '" + dataset + "' has no unique file named "
          + String.join(", ", unknown) + "; valid names: "
          + String.join(", ", files.stream().map(TraceFile::name).toList()));
    }
    if (chosen.isEmpty()) {
      throw new IllegalArgumentException("no files selected from dataset '" + dataset
          + "'; pass at least one file name");
    }
    return List.copyOf(chosen);
  }

  private Optional<TraceFile> resolve(String name) {
    Optional<TraceFile> exact = file(name).or(() -> file(name + ".csv"));
    if (exact.isPresent() || name.isEmpty()) {
      return exact;
    }
    String ending = "_" + (name.endsWith(".csv") ? name : name + ".csv");
    List<TraceFile> hits = files.stream().filter(f -> f.name().endsWith(ending)).toList();
    return hits.size() == 1 ? Optional.of(hits.get(0)) : Optional.empty();
  }

  private static List<TraceFile> openbFiles() {
    Map<String, String> pinned = Map.of(
        "openb_node_list_all_node.csv", "5a85c2af79c66a1efff8bbcbda430400aae56d8431370d738480967e1a9c6b15",
        "openb_node_list_gpu_node.csv", "2beca64b4d3dfa342036a34b56a495c6cef9225db836c81f541282cb1df320b5",
        "openb_pod_list_cpu050.csv", "747f43247bffc2b0bb081d7f61f0705ca8d390dafc0b647e642c92f3baf3ba1e",
        "openb_pod_list_default.csv", "1ee7ed79c27a3b0861cda8ddba86a004c6aba904caafa329a76ae93ca63834a8",
        "openb_pod_list_gpushare40.csv", "d83ce79a4eb6987524bedbb0c65e41aed3a36bf6c1b78b86234c3687a07e1d40",
        "openb_pod_list_gpuspec10.csv", "2dc7e4cb9480484f08539720b433a9ec9ab5d76b396f3f7557c53a2ff78a7611",
        "openb_pod_list_multigpu20.csv", "d9ec6f6c74fb980cc0b81239470c6353fceea077ea9abd610003b604c7cc2b01");
    List<String> names = new ArrayList<>(List.of(
        "openb_node_list_all_node.csv", "openb_node_list_gpu_node.csv"));
    for (String workload : List.of(
        "default", "cpu050", "cpu100", "cpu200", "cpu250",
        "gpushare40", "gpushare60", "gpushare80", "gpushare100",
        "multigpu20", "multigpu30", "multigpu40", "multigpu50",
        "gpuspec10", "gpuspec20", "gpuspec25", "gpuspec33")) {
      names.add("openb_pod_list_" + workload + ".csv");
    }
    return names.stream()
        .map(n -> new TraceFile(n, Optional.ofNullable(pinned.get(n))))
        .toList();
  }
}
