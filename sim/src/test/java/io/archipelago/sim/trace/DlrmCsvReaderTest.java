package io.archipelago.sim.trace;

import static io.archipelago.sim.trace.TraceAssertions.assertDiagnostic;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Specification of {@link DlrmCsvReader}: the DLRM inference-trace format, its units and every way it is rejected. */
class DlrmCsvReaderTest {

    /** The real file's header: required and optional columns interleaved. */
    static final String HEADER_17 = "instance_sn,role,app_name,cpu_request,cpu_limit,gpu_request,gpu_limit,rdma_request,"
            + "rdma_limit,memory_request,memory_limit,disk_request,disk_limit,max_instance_per_node,creation_time,"
            + "scheduled_time,deletion_time";
    static final String HEADER_11 = "instance_sn,role,app_name,cpu_request,gpu_request,rdma_request,memory_request,"
            + "max_instance_per_node,creation_time,scheduled_time,deletion_time";

    @TempDir
    Path dir;

    // ---------------------------------------------------------------- helpers

    private Path write(String fileName, String... lines) throws IOException {
        Path p = dir.resolve(fileName);
        Files.writeString(p, String.join("\n", lines) + (lines.length > 0 ? "\n" : ""), StandardCharsets.UTF_8);
        return p;
    }

    /** A one-row file with the 11 required columns. */
    private Path row(String fileName, String row) throws IOException {
        return write(fileName, HEADER_11, row);
    }

    private static TraceFormatException readFails(Path p) {
        Throwable t = catchThrowable(() -> DlrmCsvReader.read(p));
        assertThat(t).as("DlrmCsvReader.read(%s) should throw TraceFormatException", p)
                .isInstanceOf(TraceFormatException.class);
        return (TraceFormatException) t;
    }

    // ---------------------------------------------------------------- positive cases

    @Test
    void realFileRowsConvertToEngineUnits() throws IOException {
        Path p = write("dlrm.csv", HEADER_17,
                "instance_0,HN,app_0,12,12,1,1,25,25,120.0,120.0,640.0,800.0,8,,,",
                "instance_7280,CN,app_22,64,64,0,0,1,1,320.0,320.0,544.0,640.0,-1,475.00000000000006,623.0,",
                "instance_9,CN,app_3,8,8,0,0,100,100,40.0,40.0,85.0,100.0,2,2029855.0000000002,2029856.4995,2039680.0000000002");

        List<DlrmInstance> all = DlrmCsvReader.read(p);

        assertThat(all).containsExactly(
                new DlrmInstance("instance_0", "HN", "app_0", 12000, 1, 1000, 25, 120 * 1024, 8, -1, -1, -1),
                new DlrmInstance("instance_7280", "CN", "app_22", 64000, 0, 0, 1, 320 * 1024, 0, 475_000, 623_000, -1),
                new DlrmInstance("instance_9", "CN", "app_3", 8000, 0, 0, 100, 40 * 1024, 2,
                        2_029_855_000L, 2_029_856_500L, 2_039_680_000L));
    }

    @Test
    void fractionalCoresGibAndSecondsRoundToNearest() throws IOException {
        Path p = row("round.csv", "i1,CN,a,0.5,0,0,1.5,4,0.0004,0.0005,1.9994");

        DlrmInstance i = DlrmCsvReader.read(p).get(0);

        assertThat(i.cpuMilli()).isEqualTo(500);
        assertThat(i.memoryMib()).isEqualTo(1536);
        assertThat(i.creationMs()).isZero();
        assertThat(i.scheduledMs()).isEqualTo(1);
        assertThat(i.deletionMs()).isEqualTo(1999);
    }

    @Test
    void gpuRequestMapsToCountAndMilli() throws IOException {
        Path p = write("gpu.csv", HEADER_11,
                "none,CN,a,1,0,0,1,-1,,,",
                "half,HN,a,1,0.5,0,1,-1,,,",
                "tiny,HN,a,1,0.001,0,1,-1,,,",
                "one,HN,a,1,1,0,1,-1,,,",
                "one-dot-zero,HN,a,1,1.0,0,1,-1,,,",
                "eight,HN,a,1,8,0,1,-1,,,",
                "sixteen,HN,a,1,16,0,1,-1,,,");

        List<DlrmInstance> all = DlrmCsvReader.read(p);

        assertThat(all).extracting(DlrmInstance::gpuCount).containsExactly(0, 1, 1, 1, 1, 8, 16);
        assertThat(all).extracting(DlrmInstance::gpuMilli).containsExactly(0, 500, 1, 1000, 1000, 1000, 1000);
    }

    @Test
    void maxInstancePerNodeMinusOneMeansUnlimitedStoredAsZero() throws IOException {
        Path p = write("max.csv", HEADER_11, "a,CN,x,1,0,0,1,-1,,,", "b,CN,x,1,0,0,1,1,,,", "c,CN,x,1,0,0,1,16,,,");
        assertThat(DlrmCsvReader.read(p)).extracting(DlrmInstance::maxInstancePerNode).containsExactly(0, 1, 16);
    }

    @Test
    void emptyTimesReadAsMinusOneAndEqualCreationAndDeletionAreAccepted() throws IOException {
        Path p = write("times.csv", HEADER_11, "a,CN,x,1,0,0,1,-1,,,", "b,CN,x,1,0,0,1,-1,10,,10", "c,CN,x,1,0,0,1,-1,,,5");
        List<DlrmInstance> all = DlrmCsvReader.read(p);
        assertThat(all.get(0)).extracting(DlrmInstance::creationMs, DlrmInstance::scheduledMs, DlrmInstance::deletionMs)
                .containsExactly(-1L, -1L, -1L);
        assertThat(all.get(1)).extracting(DlrmInstance::creationMs, DlrmInstance::scheduledMs, DlrmInstance::deletionMs)
                .containsExactly(10_000L, -1L, 10_000L);
        // a deletion without a known creation is not checked against it
        assertThat(all.get(2).deletionMs()).isEqualTo(5_000);
    }

    @Test
    void elevenRequiredColumnsSufficeInAnyOrderAndEmptyLimitsAreAccepted() throws IOException {
        Path p = write("order.csv",
                "deletion_time,scheduled_time,creation_time,max_instance_per_node,memory_limit,memory_request,rdma_request,"
                        + "gpu_request,cpu_request,app_name,role,instance_sn",
                "3,2,1,4,,16.0,10,0,2,app_5,CN,inst-x");
        assertThat(DlrmCsvReader.read(p)).containsExactly(
                new DlrmInstance("inst-x", "CN", "app_5", 2000, 0, 0, 10, 16 * 1024, 4, 1000, 2000, 3000));
    }

    @Test
    void crlfLineEndingsAndUtf8BomAreAccepted() throws IOException {
        Path p = dir.resolve("crlfbom.csv");
        Files.writeString(p, "\uFEFF" + HEADER_11 + "\r\n" + "a,HN,x,12,1,25,120.0,8,1.5,,\r\n", StandardCharsets.UTF_8);
        assertThat(DlrmCsvReader.read(p)).containsExactly(
                new DlrmInstance("a", "HN", "x", 12000, 1, 1000, 25, 120 * 1024, 8, 1500, -1, -1));
    }

    // ---------------------------------------------------------------- rejections

    @Test
    void deletionBeforeCreationIsRejected() throws IOException {
        Path p = write("order.csv", HEADER_11, "a,CN,x,1,0,0,1,-1,10,,20", "b,CN,x,1,0,0,1,-1,475.5,,475.0");
        assertDiagnostic(readFails(p), p, 3, "deletion_time", "475.0", "a time not before creation_time 475.5");
    }

    @Test
    void negativeOrNonNumericTimesAreRejected() throws IOException {
        Path neg = row("negtime.csv", "a,CN,x,1,0,0,1,-1,-5,,");
        assertDiagnostic(readFails(neg), neg, 2, "creation_time", "-5", "empty or a time in seconds from 0");
        Path text = row("texttime.csv", "a,CN,x,1,0,0,1,-1,1,soon,");
        assertDiagnostic(readFails(text), text, 2, "scheduled_time", "soon", "empty or a time in seconds");
        Path nan = row("nantime.csv", "a,CN,x,1,0,0,1,-1,1,,NaN");
        assertDiagnostic(readFails(nan), nan, 2, "deletion_time", "NaN", "empty or a time in seconds");
    }

    @Test
    void badCpuRequestIsRejected() throws IOException {
        Path neg = row("negcpu.csv", "a,CN,x,-1,0,0,1,-1,,,");
        assertDiagnostic(readFails(neg), neg, 2, "cpu_request", "-1", "a number of cores from 0 to 2147483 (fractions allowed)");
        Path empty = row("emptycpu.csv", "a,CN,x,,0,0,1,-1,,,");
        assertDiagnostic(readFails(empty), empty, 2, "cpu_request", "", "a number of cores");
        Path plus = row("pluscpu.csv", "a,CN,x,+4,0,0,1,-1,,,");
        assertDiagnostic(readFails(plus), plus, 2, "cpu_request", "+4", "a number of cores");
        Path huge = row("hugecpu.csv", "a,CN,x,3000000,0,0,1,-1,,,");
        assertDiagnostic(readFails(huge), huge, 2, "cpu_request", "3000000", "a number of cores from 0 to 2147483");
    }

    @Test
    void badGpuRequestIsRejected() throws IOException {
        Path many = row("manygpu.csv", "a,HN,x,1,17,0,1,-1,,,");
        assertDiagnostic(readFails(many), many, 2, "gpu_request", "17", "a whole number of GPUs from 0 to 16",
                "or a fraction between 0 and 1");
        Path frac = row("fracgpu.csv", "a,HN,x,1,1.5,0,1,-1,,,");
        assertDiagnostic(readFails(frac), frac, 2, "gpu_request", "1.5", "a whole number of GPUs from 0 to 16");
        Path neg = row("neggpu.csv", "a,HN,x,1,-1,0,1,-1,,,");
        assertDiagnostic(readFails(neg), neg, 2, "gpu_request", "-1", "a whole number of GPUs");
        Path tiny = row("tinygpu.csv", "a,HN,x,1,0.0001,0,1,-1,,,");
        assertDiagnostic(readFails(tiny), tiny, 2, "gpu_request", "0.0001", "0 or at least 0.001 GPU");
    }

    @Test
    void badRdmaRequestIsRejected() throws IOException {
        Path over = row("rdma.csv", "a,CN,x,1,0,101,1,-1,,,");
        assertDiagnostic(readFails(over), over, 2, "rdma_request", "101", "a whole number from 0 to 100");
        Path frac = row("rdmafrac.csv", "a,CN,x,1,0,2.5,1,-1,,,");
        assertDiagnostic(readFails(frac), frac, 2, "rdma_request", "2.5", "a whole number from 0 to 100");
    }

    @Test
    void badMemoryRequestIsRejected() throws IOException {
        Path p = row("mem.csv", "a,CN,x,1,0,0,120GiB,-1,,,");
        assertDiagnostic(readFails(p), p, 2, "memory_request", "120GiB", "a memory size in GiB from 0 to");
    }

    @Test
    void maxInstancePerNodeOtherThanMinusOneOrPositiveIsRejected() throws IOException {
        for (String v : List.of("0", "-2", "2.0", "", "many")) {
            Path p = row("max" + v + ".csv", "a,CN,x,1,0,0,1," + v + ",,,");
            assertDiagnostic(readFails(p), p, 2, "max_instance_per_node", v, "-1 (unlimited) or a whole number from 1 to");
        }
    }

    @Test
    void negativeOrNonNumericLimitIsRejected() throws IOException {
        Path neg = write("neglimit.csv", HEADER_17, "a,HN,x,12,12,1,1,25,25,120.0,120.0,640.0,-800.0,8,,,");
        assertDiagnostic(readFails(neg), neg, 2, "disk_limit", "-800.0", "empty or a non-negative number");
        Path text = write("textlimit.csv", HEADER_17, "a,HN,x,12,lots,1,1,25,25,120.0,120.0,640.0,800.0,8,,,");
        assertDiagnostic(readFails(text), text, 2, "cpu_limit", "lots", "empty or a non-negative number");
    }

    @Test
    void emptyNameRoleOrAppIsRejected() throws IOException {
        Path name = row("noname.csv", ",CN,x,1,0,0,1,-1,,,");
        assertDiagnostic(readFails(name), name, 2, "instance_sn", "", "a non-empty instance name");
        Path role = row("norole.csv", "a,,x,1,0,0,1,-1,,,");
        assertDiagnostic(readFails(role), role, 2, "role", "", "a non-empty role");
        Path app = row("noapp.csv", "a,CN,,1,0,0,1,-1,,,");
        assertDiagnostic(readFails(app), app, 2, "app_name", "", "a non-empty application name");
    }

    @Test
    void duplicateInstanceNameIsRejected() throws IOException {
        Path p = write("dup.csv", HEADER_11, "a,CN,x,1,0,0,1,-1,,,", "b,CN,x,1,0,0,1,-1,,,", "a,HN,y,2,1,0,1,-1,,,");
        assertDiagnostic(readFails(p), p, 4, "instance_sn", "a", "a unique instance name");
    }

    @Test
    void missingRequiredColumnIsRejected() throws IOException {
        Path p = write("nodel.csv", HEADER_11.replace(",deletion_time", ""), "a,CN,x,1,0,0,1,-1,,");
        assertDiagnostic(readFails(p), p, 1, "deletion_time", null, "a column named 'deletion_time'");
    }

    @Test
    void unknownColumnIsRejected() throws IOException {
        Path p = write("extra.csv", HEADER_11 + ",gpu_spec", "a,CN,x,1,0,0,1,-1,,,,T4");
        assertDiagnostic(readFails(p), p, 1, "gpu_spec", "gpu_spec", "one of the known columns", "instance_sn", "disk_limit");
    }

    @Test
    void rowWithWrongNumberOfFieldsIsRejected() throws IOException {
        Path p = row("short.csv", "a,CN,x,1,0,0,1,-1,,");
        assertDiagnostic(readFails(p), p, 2, null, "a,CN,x,1,0,0,1,-1,,", "11 comma-separated fields", "found 10");
    }

    @Test
    void emptyAndHeaderOnlyFilesAreRejected() throws IOException {
        Path empty = dir.resolve("empty.csv");
        Files.writeString(empty, "");
        assertDiagnostic(readFails(empty), empty, 1, null, null, "the file is empty");

        Path headerOnly = write("headeronly.csv", HEADER_17);
        assertDiagnostic(readFails(headerOnly), headerOnly, 2, null, null, "at least one data row");
    }

    @Test
    void badLastRowThrowsSoNothingIsHalfLoaded() throws IOException {
        StringBuilder sb = new StringBuilder(HEADER_11).append('\n');
        for (int i = 0; i < 50; i++) {
            sb.append("instance_").append(i).append(",CN,app_1,8,0,1,40.0,-1,").append(i).append(".5,,\n");
        }
        sb.append("instance_last,CN,app_1,8,0,1,40.0,0,,,\n");
        Path p = dir.resolve("lastbad.csv");
        Files.writeString(p, sb.toString());

        assertDiagnostic(readFails(p), p, 52, "max_instance_per_node", "0", "-1 (unlimited)");
    }

    // ---------------------------------------------------------------- the real DLRM trace

    @Test
    void realDlrmTraceHas23871InstancesOf7280WithoutTimes() {
        String shared = System.getProperty("archipelago.shared");
        Assumptions.assumeTrue(shared != null && !shared.isBlank() && !shared.contains("${"),
                "system property archipelago.shared not set");
        Path file = Path.of(shared, "traces", "dlrm", "disaggregated_DLRM_trace.csv");
        Assumptions.assumeTrue(Files.isRegularFile(file), "shared trace not present at " + file);

        List<DlrmInstance> all = DlrmCsvReader.read(file);

        assertThat(all).hasSize(23_871);
        assertThat(all.stream().filter(i -> i.creationMs() < 0)).hasSize(7_280);
        assertThat(all.stream().filter(i -> i.role().equals("HN"))).hasSize(7_386)
                .allMatch(i -> i.gpuCount() == 1 && i.gpuMilli() == 1000);
        assertThat(all.stream().filter(i -> i.role().equals("CN"))).hasSize(16_485).allMatch(i -> i.gpuCount() == 0);
        assertThat(all.stream().filter(i -> i.maxInstancePerNode() == 0)).hasSize(12_248);
        assertThat(all.get(0)).isEqualTo(new DlrmInstance("instance_0", "HN", "app_0", 12000, 1, 1000, 25, 122_880, 8, -1, -1, -1));
        assertThat(all.get(7280)).isEqualTo(
                new DlrmInstance("instance_7280", "CN", "app_22", 64000, 0, 0, 1, 327_680, 0, 475_000, 623_000, -1));
    }
}
