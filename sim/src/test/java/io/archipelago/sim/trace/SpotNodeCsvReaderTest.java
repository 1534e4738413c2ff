package io.archipelago.sim.trace;

import static io.archipelago.sim.trace.TraceAssertions.assertDiagnostic;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.archipelago.core.model.GpuModels;
import io.archipelago.core.model.NodeSpec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Specification of {@link SpotNodeCsvReader}: the spot-GPU node-list format, its conversion and every rejection. */
class SpotNodeCsvReaderTest {

    static final String HEADER = "gpu_model,gpu_capacity_num,cpu_num,node_name";

    @TempDir
    Path dir;

    // ---------------------------------------------------------------- helpers

    private Path write(String fileName, String... lines) throws IOException {
        Path p = dir.resolve(fileName);
        Files.writeString(p, String.join("\n", lines) + (lines.length > 0 ? "\n" : ""), StandardCharsets.UTF_8);
        return p;
    }

    private static TraceFormatException readFails(Path p) {
        Throwable t = catchThrowable(() -> SpotNodeCsvReader.read(p));
        assertThat(t).as("SpotNodeCsvReader.read(%s) should throw TraceFormatException", p)
                .isInstanceOf(TraceFormatException.class);
        return (TraceFormatException) t;
    }

    // ---------------------------------------------------------------- positive cases

    @Test
    void validFileParsesWithCoresInMilliAndModelsAsWritten() throws IOException {
        Path p = write("node_info_df.csv", HEADER,
                "GPU-series-1,4,192,0",
                "A10,1,128,2",
                "A100-SXM4-80GB,8,128,3",
                ",0,16,cpu-only");

        assertThat(SpotNodeCsvReader.read(p)).containsExactly(
                new SpotNode("0", "GPU-series-1", 4, 192_000),
                new SpotNode("2", "A10", 1, 128_000),
                new SpotNode("3", "A100-SXM4-80GB", 8, 128_000),
                new SpotNode("cpu-only", "", 0, 16_000));
    }

    @Test
    void toNodeSpecsPrefixesNamesAndGivesMemoryPerCore() {
        List<SpotNode> nodes = List.of(
                new SpotNode("2", "A10", 1, 128_000),
                new SpotNode("7", "H800", 8, 192_000),
                new SpotNode("cpu", "GPU-series-9", 0, 126_000));

        List<NodeSpec> specs = SpotNodeCsvReader.toNodeSpecs(nodes, 8192);

        assertThat(specs).containsExactly(
                new NodeSpec("spot-2", 128_000, 128L * 8192, 1, GpuModels.idOf("A10")),
                new NodeSpec("spot-7", 192_000, 192L * 8192, 8, GpuModels.idOf("H800")),
                // a CPU-only node keeps no model, even an unknown one
                new NodeSpec("spot-cpu", 126_000, 126L * 8192, 0, -1));
        assertThat(SpotNodeCsvReader.toNodeSpecs(List.of(), 1)).isEmpty();
    }

    @Test
    void toNodeSpecsRejectsUnknownModelAndNonPositiveMemoryPerCore() {
        List<SpotNode> nodes = List.of(new SpotNode("0", "GPU-series-9", 4, 192_000));
        assertThatThrownBy(() -> SpotNodeCsvReader.toNodeSpecs(nodes, 8192))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("spot node 0").hasMessageContaining("'GPU-series-9'").hasMessageContaining("V100M16");
        assertThatThrownBy(() -> SpotNodeCsvReader.toNodeSpecs(List.of(), 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("memoryMibPerCore");
    }

    @Test
    void crlfLineEndingsAndUtf8BomAreAccepted() throws IOException {
        Path p = dir.resolve("crlfbom.csv");
        Files.writeString(p, "\uFEFF" + HEADER + "\r\n" + "A10,1,128,2\r\n", StandardCharsets.UTF_8);
        assertThat(SpotNodeCsvReader.read(p)).containsExactly(new SpotNode("2", "A10", 1, 128_000));
    }

    // ---------------------------------------------------------------- rejections

    @Test
    void gpuCountAboveSixteenIsRejected() throws IOException {
        Path p = write("manygpu.csv", HEADER, "A10,1,128,0", "H800,17,192,1");
        assertDiagnostic(readFails(p), p, 3, "gpu_capacity_num", "17", "a whole number from 0 to 16");
    }

    @Test
    void gpuNodeWithoutModelIsRejected() throws IOException {
        Path p = write("nomodel.csv", HEADER, ",8,128,0");
        assertDiagnostic(readFails(p), p, 2, "gpu_model", "", "a GPU model name for a node with 8 GPUs");
    }

    @Test
    void zeroNegativeOrFractionalCoresAreRejected() throws IOException {
        Path zero = write("zerocpu.csv", HEADER, "A10,1,0,0");
        assertDiagnostic(readFails(zero), zero, 2, "cpu_num", "0", "a whole number of cores from 1 to 2147483");
        Path neg = write("negcpu.csv", HEADER, "A10,1,-128,0");
        assertDiagnostic(readFails(neg), neg, 2, "cpu_num", "-128", "a whole number from 0 to 2147483");
        Path frac = write("fraccpu.csv", HEADER, "A10,1,127.5,0");
        assertDiagnostic(readFails(frac), frac, 2, "cpu_num", "127.5", "a whole number from 0 to 2147483");
    }

    @Test
    void duplicateOrEmptyNodeNameIsRejected() throws IOException {
        Path dup = write("dup.csv", HEADER, "A10,1,128,0", "A10,1,128,1", "H800,8,192,0");
        assertDiagnostic(readFails(dup), dup, 4, "node_name", "0", "a unique node name");
        Path empty = write("noname.csv", HEADER, "A10,1,128,");
        assertDiagnostic(readFails(empty), empty, 2, "node_name", "", "a non-empty node name");
    }

    @Test
    void missingOrUnknownColumnIsRejected() throws IOException {
        Path missing = write("nocpu.csv", "gpu_model,gpu_capacity_num,node_name", "A10,1,0");
        assertDiagnostic(readFails(missing), missing, 1, "cpu_num", null, "a column named 'cpu_num'");
        Path openb = write("openb.csv", "sn,cpu_milli,memory_mib,gpu,model", "n1,64000,262144,2,P100");
        assertDiagnostic(readFails(openb), openb, 1, "sn", "sn", "one of the known columns", "gpu_model");
    }

    @Test
    void rowWithWrongNumberOfFieldsIsRejected() throws IOException {
        Path p = write("short.csv", HEADER, "A10,1,128");
        assertDiagnostic(readFails(p), p, 2, null, "A10,1,128", "4 comma-separated fields", "found 3");
    }

    @Test
    void emptyAndHeaderOnlyFilesAreRejected() throws IOException {
        Path empty = dir.resolve("empty.csv");
        Files.writeString(empty, "");
        assertDiagnostic(readFails(empty), empty, 1, null, null, "the file is empty");
        Path headerOnly = write("headeronly.csv", HEADER);
        assertDiagnostic(readFails(headerOnly), headerOnly, 2, null, null, "at least one data row");
    }

    @Test
    void badLastRowThrowsSoNothingIsHalfLoaded() throws IOException {
        StringBuilder sb = new StringBuilder(HEADER).append('\n');
        for (int i = 0; i < 50; i++) {
            sb.append("A10,1,128,").append(i).append('\n');
        }
        sb.append("A10,1,128,x,\n");
        Path p = dir.resolve("lastbad.csv");
        Files.writeString(p, sb.toString());
        assertDiagnostic(readFails(p), p, 52, null, "A10,1,128,x,", "4 comma-separated fields");
    }

    // ---------------------------------------------------------------- the real spot-GPU trace

    @Test
    void realSpotNodeListHas4278NodesAnd10412Gpus() {
        String shared = System.getProperty("archipelago.shared");
        Assumptions.assumeTrue(shared != null && !shared.isBlank() && !shared.contains("${"),
                "system property archipelago.shared not set");
        Path file = Path.of(shared, "traces", "spot-gpu", "node_info_df.csv");
        Assumptions.assumeTrue(Files.isRegularFile(file), "shared trace not present at " + file);

        List<SpotNode> nodes = SpotNodeCsvReader.read(file);

        assertThat(nodes).hasSize(4_278);
        assertThat(nodes.stream().mapToInt(SpotNode::gpuCount).sum()).isEqualTo(10_412);
        assertThat(nodes.get(0)).isEqualTo(new SpotNode("0", "GPU-series-1", 4, 192_000));
        assertThat(nodes.get(2)).isEqualTo(new SpotNode("2", "A10", 1, 128_000));
        Map<String, Integer> byModel = new TreeMap<>();
        nodes.forEach(n -> byModel.merge(n.gpuModel(), 1, Integer::sum));
        assertThat(byModel).containsOnlyKeys("A10", "A100-SXM4-80GB", "A800-SXM4-80GB", "GPU-series-1", "GPU-series-2", "H800");
        // the engine knows every model of the file, so the whole fleet converts
        List<NodeSpec> specs = SpotNodeCsvReader.toNodeSpecs(nodes, 8192);
        assertThat(specs).hasSize(4_278);
        assertThat(specs.get(0)).isEqualTo(new NodeSpec("spot-0", 192_000, 192L * 8192, 4, GpuModels.idOf("GPU-series-1")));
        assertThat(specs.get(2)).isEqualTo(new NodeSpec("spot-2", 128_000, 128L * 8192, 1, GpuModels.idOf("A10")));
    }
}
