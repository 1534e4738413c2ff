package io.archipelago.sim.trace;

import static io.archipelago.sim.trace.TraceAssertions.assertDiagnostic;
import static org.assertj.core.api.Assertions.assertThat;
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

/** Specification of {@link NodeCsvReader}: the openb node-list format and every way it is rejected. */
class NodeCsvReaderTest {

    static final String HEADER = "sn,cpu_milli,memory_mib,gpu,model";

    @TempDir
    Path dir;

    // ---------------------------------------------------------------- helpers

    private Path write(String fileName, String... lines) throws IOException {
        Path p = dir.resolve(fileName);
        Files.writeString(p, String.join("\n", lines) + (lines.length > 0 ? "\n" : ""), StandardCharsets.UTF_8);
        return p;
    }

    private static TraceFormatException readFails(Path p) {
        Throwable t = catchThrowable(() -> NodeCsvReader.read(p));
        assertThat(t).as("NodeCsvReader.read(%s) should throw TraceFormatException", p)
                .isInstanceOf(TraceFormatException.class);
        return (TraceFormatException) t;
    }


    // ---------------------------------------------------------------- positive cases

    @Test
    void validFileParsesIntoNodeSpecs() throws IOException {
        Path p = write("nodes.csv", HEADER,
                "openb-node-0000,64000,262144,2,P100",
                "openb-node-0001,96000,786432,8,G2",
                "openb-node-0002,32000,262144,0,",
                "openb-node-0003,128000,1048576,16,V100M32",
                "openb-node-0004,8000,65536,0,T4");

        List<NodeSpec> nodes = NodeCsvReader.read(p);

        assertThat(nodes).containsExactly(
                new NodeSpec("openb-node-0000", 64000, 262144, 2, GpuModels.idOf("P100")),
                new NodeSpec("openb-node-0001", 96000, 786432, 8, GpuModels.idOf("G2")),
                new NodeSpec("openb-node-0002", 32000, 262144, 0, -1),
                new NodeSpec("openb-node-0003", 128000, 1048576, 16, GpuModels.idOf("V100M32")),
                // a CPU-only node with a (known) model name keeps no model
                new NodeSpec("openb-node-0004", 8000, 65536, 0, -1));
        assertThat(nodes.get(0).gpuModelName()).isEqualTo("P100");
        assertThat(nodes.get(2).gpuModelName()).isEmpty();
    }

    @Test
    void gpuNodesFiltersOutCpuOnlyNodes() throws IOException {
        Path p = write("all.csv", HEADER,
                "cpu-1,32000,262144,0,",
                "gpu-1,64000,262144,2,T4",
                "cpu-2,32000,262144,0,",
                "gpu-2,96000,786432,8,G2");

        List<NodeSpec> all = NodeCsvReader.read(p);
        List<NodeSpec> gpu = NodeCsvReader.gpuNodes(all);

        assertThat(all).hasSize(4);
        assertThat(gpu).extracting(NodeSpec::name).containsExactly("gpu-1", "gpu-2");
        assertThat(NodeCsvReader.gpuNodes(List.of())).isEmpty();
    }

    @Test
    void crlfLineEndingsAndUtf8BomAreAccepted() throws IOException {
        Path p = dir.resolve("crlfbom.csv");
        Files.writeString(p, "\uFEFF" + HEADER + "\r\n" + "n1,64000,262144,2,P100\r\n" + "n2,32000,262144,0,\r\n",
                StandardCharsets.UTF_8);

        List<NodeSpec> nodes = NodeCsvReader.read(p);

        assertThat(nodes).containsExactly(
                new NodeSpec("n1", 64000, 262144, 2, GpuModels.idOf("P100")),
                new NodeSpec("n2", 32000, 262144, 0, -1));
    }

    // ---------------------------------------------------------------- rejections

    @Test
    void unknownModelForGpuNodeIsRejected() throws IOException {
        Path p = write("badmodel.csv", HEADER, "n1,64000,262144,2,P100", "n2,64000,262144,4,H999");
        TraceFormatException e = readFails(p);
        assertDiagnostic(e, p, 3, "model", "H999", "a known GPU model for a node with 4 GPUs", "V100M16");
    }

    @Test
    void gpuNodeWithEmptyModelIsRejected() throws IOException {
        Path p = write("nomodel.csv", HEADER, "n1,64000,262144,2,");
        TraceFormatException e = readFails(p);
        assertDiagnostic(e, p, 2, "model", "", "a known GPU model for a node with 2 GPUs");
    }

    @Test
    void cpuOnlyNodeWithUnknownModelIsRejected() throws IOException {
        Path p = write("cpubadmodel.csv", HEADER, "n1,64000,262144,0,XYZ");
        TraceFormatException e = readFails(p);
        assertDiagnostic(e, p, 2, "model", "XYZ", "empty or a known GPU model");
    }

    @Test
    void negativeCpuIsRejected() throws IOException {
        Path p = write("negcpu.csv", HEADER, "n1,-64000,262144,2,P100");
        TraceFormatException e = readFails(p);
        assertDiagnostic(e, p, 2, "cpu_milli", "-64000", "a whole number from 0 to " + Integer.MAX_VALUE);
    }

    @Test
    void nonNumericMemoryIsRejected() throws IOException {
        Path p = write("mem.csv", HEADER, "n1,64000,256GiB,2,P100");
        TraceFormatException e = readFails(p);
        assertDiagnostic(e, p, 2, "memory_mib", "256GiB", "a whole number from 0 to");
    }

    @Test
    void gpuCountAboveSixteenIsRejected() throws IOException {
        Path p = write("manygpu.csv", HEADER, "n1,64000,262144,17,G2");
        TraceFormatException e = readFails(p);
        assertDiagnostic(e, p, 2, "gpu", "17", "a whole number from 0 to 16");
    }

    @Test
    void duplicateNodeNameIsRejected() throws IOException {
        Path p = write("dup.csv", HEADER, "n1,64000,262144,2,P100", "n2,64000,262144,2,P100", "n1,32000,1,0,");
        TraceFormatException e = readFails(p);
        assertDiagnostic(e, p, 4, "sn", "n1", "a unique node name");
    }

    @Test
    void emptyNodeNameIsRejected() throws IOException {
        Path p = write("noname.csv", HEADER, ",64000,262144,2,P100");
        TraceFormatException e = readFails(p);
        assertDiagnostic(e, p, 2, "sn", "", "a non-empty node name");
    }

    @Test
    void missingColumnIsRejected() throws IOException {
        Path p = write("nomodelcol.csv", "sn,cpu_milli,memory_mib,gpu", "n1,64000,262144,0");
        TraceFormatException e = readFails(p);
        assertDiagnostic(e, p, 1, "model", null, "a column named 'model'", "[sn, cpu_milli, memory_mib, gpu]");
    }

    @Test
    void podColumnsAreUnknownToTheNodeReader() throws IOException {
        Path p = write("swapped.csv", "name,cpu_milli,memory_mib,num_gpu,gpu_milli", "p1,1,1,0,0");
        TraceFormatException e = readFails(p);
        assertDiagnostic(e, p, 1, "name", "name", "one of the known columns", "sn");
    }

    @Test
    void rowWithWrongNumberOfFieldsIsRejected() throws IOException {
        Path p = write("short.csv", HEADER, "n1,64000,262144,2");
        TraceFormatException e = readFails(p);
        assertDiagnostic(e, p, 2, null, "n1,64000,262144,2", "5 comma-separated fields", "found 4");
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
    void missingFileSuggestsTraceDownload() {
        Path p = dir.resolve(TraceLocator.GPU_NODE_FILE);
        TraceFormatException e = readFails(p);
        assertThat(e.file()).isEqualTo(p.toString());
        assertThat(e.line()).isZero();
        assertThat(e.column()).isNull();
        assertThat(e.value()).isNull();
        assertThat(e.getMessage()).contains(TraceLocator.GPU_NODE_FILE).contains("trace download");
    }

    @Test
    void badLastRowThrowsSoNothingIsHalfLoaded() throws IOException {
        StringBuilder sb = new StringBuilder(HEADER).append('\n');
        for (int i = 0; i < 50; i++) {
            sb.append("node-").append(i).append(",64000,262144,8,G2\n");
        }
        sb.append("node-last,64000,262144,8,G9\n");
        Path p = dir.resolve("lastbad.csv");
        Files.writeString(p, sb.toString());

        TraceFormatException e = readFails(p);

        assertDiagnostic(e, p, 52, "model", "G9", "a known GPU model");
    }

    // ---------------------------------------------------------------- the real openb trace

    @Test
    void realOpenbGpuNodeListHas1213NodesAnd6212Gpus() {
        String shared = System.getProperty("archipelago.shared");
        Assumptions.assumeTrue(shared != null && !shared.isBlank() && !shared.contains("${"),
                "system property archipelago.shared not set");
        Path file = Path.of(shared, "traces", "openb", TraceLocator.GPU_NODE_FILE);
        Assumptions.assumeTrue(Files.isRegularFile(file), "shared trace not present at " + file);

        List<NodeSpec> nodes = NodeCsvReader.read(file);

        assertThat(nodes).hasSize(1213);
        assertThat(nodes.stream().mapToInt(NodeSpec::gpuCount).sum()).isEqualTo(6212);
        assertThat(NodeCsvReader.gpuNodes(nodes)).hasSize(1213);
        Map<String, Integer> byModel = new TreeMap<>();
        nodes.forEach(n -> byModel.merge(n.gpuModelName(), n.gpuCount(), Integer::sum));
        assertThat(byModel).containsOnlyKeys("A10", "G2", "G3", "P100", "T4", "V100M16", "V100M32");
    }
}
