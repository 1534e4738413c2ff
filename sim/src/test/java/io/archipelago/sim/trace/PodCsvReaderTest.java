package io.archipelago.sim.trace;

import static io.archipelago.sim.trace.TraceAssertions.assertDiagnostic;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.archipelago.core.model.GpuModels;
import io.archipelago.core.model.Qos;
import io.archipelago.core.model.TaskSpec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Specification of {@link PodCsvReader}: the openb pod-list format and every way it is rejected. */
class PodCsvReaderTest {

    static final String HEADER_11 =
            "name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,deletion_time,scheduled_time";
    static final String HEADER_5 = "name,cpu_milli,memory_mib,num_gpu,gpu_milli";

    @TempDir
    Path dir;

    // ---------------------------------------------------------------- helpers

    private Path write(String fileName, String... lines) throws IOException {
        Path p = dir.resolve(fileName);
        Files.writeString(p, String.join("\n", lines) + (lines.length > 0 ? "\n" : ""), StandardCharsets.UTF_8);
        return p;
    }

    private static TraceFormatException readFails(Path p) {
        Throwable t = catchThrowable(() -> PodCsvReader.read(p));
        assertThat(t).as("PodCsvReader.read(%s) should throw TraceFormatException", p)
                .isInstanceOf(TraceFormatException.class);
        return (TraceFormatException) t;
    }


    // ---------------------------------------------------------------- positive cases

    @Test
    void validElevenColumnFileParsesIntoTaskSpecs() throws IOException {
        Path p = write("pods.csv",
                HEADER_11,
                "pod-a,12000,16384,1,1000,,LS,Running,0,12537496,0",
                "pod-b,6000,12288,1,460,T4|V100M16,BE,Pending,427061,,",
                "pod-c,32000,65536,0,0,,Burstable,,,,",
                "pod-d,8000,30517,8,1000,G2,Guaranteed,Succeeded,5,6,7",
                "pod-e,1000,1024,2,1000,,,Failed,1,2,3");

        List<TaskSpec> pods = PodCsvReader.read(p);

        assertThat(pods).hasSize(5);
        assertThat(pods).extracting(TaskSpec::name).containsExactly("pod-a", "pod-b", "pod-c", "pod-d", "pod-e");

        assertThat(pods.get(0)).isEqualTo(TaskSpec.openb("pod-a", 12000, 16384, 1, 1000, "", 0L, Qos.LS, 0, 12537496, 0));

        long t4V100 = (1L << GpuModels.idOf("T4")) | (1L << GpuModels.idOf("V100M16"));
        assertThat(pods.get(1)).isEqualTo(
                TaskSpec.openb("pod-b", 6000, 12288, 1, 460, "T4|V100M16", t4V100, Qos.BE, 427061, -1, -1));
        assertThat(pods.get(1).isSharing()).isTrue();
        assertThat(GpuModels.describeMask(pods.get(1).allowedModels())).isEqualTo("T4|V100M16");

        assertThat(pods.get(2)).isEqualTo(TaskSpec.openb("pod-c", 32000, 65536, 0, 0, "", 0L, Qos.BURSTABLE, -1, -1, -1));

        assertThat(pods.get(3)).isEqualTo(
                TaskSpec.openb("pod-d", 8000, 30517, 8, 1000, "G2", 1L << GpuModels.idOf("G2"), Qos.GUARANTEED, 5, 6, 7));

        assertThat(pods.get(4).qos()).isEqualTo(Qos.UNSPECIFIED);
        assertThat(pods.get(4).gpuCount()).isEqualTo(2);
    }

    @Test
    void emptyTimesReadAsMinusOne() throws IOException {
        Path p = write("times.csv", HEADER_11, "pod-a,1000,1024,0,0,,LS,Running,,,");
        TaskSpec t = PodCsvReader.read(p).get(0);
        assertThat(t.creationTime()).isEqualTo(-1);
        assertThat(t.deletionTime()).isEqualTo(-1);
        assertThat(t.scheduledTime()).isEqualTo(-1);
    }

    @Test
    void qosSpellingsMapToEnum() throws IOException {
        Path p = write("qos.csv", HEADER_11,
                "p1,1,1,0,0,,LS,,,,",
                "p2,1,1,0,0,,BE,,,,",
                "p3,1,1,0,0,,Burstable,,,,",
                "p4,1,1,0,0,,Guaranteed,,,,",
                "p5,1,1,0,0,,,,,,");
        assertThat(PodCsvReader.read(p)).extracting(TaskSpec::qos)
                .containsExactly(Qos.LS, Qos.BE, Qos.BURSTABLE, Qos.GUARANTEED, Qos.UNSPECIFIED);
    }

    @Test
    void gpuSpecMaskHasOneBitPerListedModel() throws IOException {
        Path p = write("spec.csv", HEADER_11,
                "p1,1,1,1,500,A10|G2|P100|T4|V100M16|V100M32,LS,,,,",
                "p2,1,1,1,500,V100M16|V100M32|V100M32,LS,,,,",
                "p3,1,1,1,500,,LS,,,,");
        List<TaskSpec> pods = PodCsvReader.read(p);
        long all6 = 0;
        for (String m : List.of("A10", "G2", "P100", "T4", "V100M16", "V100M32")) {
            all6 |= 1L << GpuModels.idOf(m);
        }
        assertThat(pods.get(0).allowedModels()).isEqualTo(all6);
        assertThat(pods.get(0).gpuSpec()).isEqualTo("A10|G2|P100|T4|V100M16|V100M32");
        // a repeated model is kept verbatim in gpuSpec but sets its bit only once
        assertThat(pods.get(1).allowedModels())
                .isEqualTo((1L << GpuModels.idOf("V100M16")) | (1L << GpuModels.idOf("V100M32")));
        assertThat(pods.get(1).gpuSpec()).isEqualTo("V100M16|V100M32|V100M32");
        assertThat(pods.get(2).allowedModels()).isZero();
        assertThat(pods.get(2).gpuSpec()).isEmpty();
    }

    @Test
    void fiveColumnFormatLikeMultigpu20Parses() throws IOException {
        Path p = write("openb_pod_list_multigpu20.csv", HEADER_5,
                "openb-pod-0000,12000,16384,1,1000",
                "openb-pod-0001,6000,12288,1,460",
                "openb-pod-0002,4000,8192,4,1000",
                "openb-pod-0003,2000,4096,0,0");

        List<TaskSpec> pods = PodCsvReader.read(p);

        assertThat(pods).containsExactly(
                TaskSpec.openb("openb-pod-0000", 12000, 16384, 1, 1000, "", 0L, Qos.UNSPECIFIED, -1, -1, -1),
                TaskSpec.openb("openb-pod-0001", 6000, 12288, 1, 460, "", 0L, Qos.UNSPECIFIED, -1, -1, -1),
                TaskSpec.openb("openb-pod-0002", 4000, 8192, 4, 1000, "", 0L, Qos.UNSPECIFIED, -1, -1, -1),
                TaskSpec.openb("openb-pod-0003", 2000, 4096, 0, 0, "", 0L, Qos.UNSPECIFIED, -1, -1, -1));
    }

    @Test
    void columnsMayAppearInAnyOrder() throws IOException {
        Path p = write("order.csv", "gpu_milli,num_gpu,name,qos,memory_mib,cpu_milli", "250,1,pod-x,BE,2048,3000");
        assertThat(PodCsvReader.read(p)).containsExactly(
                TaskSpec.openb("pod-x", 3000, 2048, 1, 250, "", 0L, Qos.BE, -1, -1, -1));
    }

    @Test
    void crlfLineEndingsAreAccepted() throws IOException {
        Path p = dir.resolve("crlf.csv");
        Files.writeString(p, HEADER_11 + "\r\n"
                + "pod-a,12000,16384,1,1000,T4,LS,Running,0,12537496,0\r\n"
                + "pod-b,6000,12288,0,0,,BE,Running,,,\r\n", StandardCharsets.UTF_8);

        List<TaskSpec> pods = PodCsvReader.read(p);

        assertThat(pods).hasSize(2);
        assertThat(pods.get(0).scheduledTime()).isZero();
        assertThat(pods.get(0).gpuSpec()).isEqualTo("T4");
        assertThat(pods.get(1).scheduledTime()).isEqualTo(-1);
        assertThat(pods.get(1).qos()).isEqualTo(Qos.BE);
    }

    @Test
    void utf8ByteOrderMarkIsAccepted() throws IOException {
        Path p = dir.resolve("bom.csv");
        Files.writeString(p, "\uFEFF" + HEADER_5 + "\n" + "pod-a,1000,2048,1,300\n", StandardCharsets.UTF_8);
        assertThat(Files.readAllBytes(p)).startsWith((byte) 0xEF, (byte) 0xBB, (byte) 0xBF);

        List<TaskSpec> pods = PodCsvReader.read(p);

        assertThat(pods).containsExactly(TaskSpec.openb("pod-a", 1000, 2048, 1, 300, "", 0L, Qos.UNSPECIFIED, -1, -1, -1));
    }

    @Test
    void blankLinesAreSkippedButLineNumbersStayFileRelative() throws IOException {
        Path p = write("blank.csv", HEADER_5, "pod-a,1,1,0,0", "", "   ", "pod-b,x,1,0,0");
        TraceFormatException e = readFails(p);
        assertDiagnostic(e, p, 5, "cpu_milli", "x", "a whole number from 0 to");
    }

    @Test
    void resultIsUnmodifiable() throws IOException {
        Path p = write("pods.csv", HEADER_5, "pod-a,1,1,0,0");
        List<TaskSpec> pods = PodCsvReader.read(p);
        assertThatThrownBy(() -> pods.add(TaskSpec.of("x", 1, 1, 0, 0)))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    // ---------------------------------------------------------------- header problems

    @Test
    void missingRequiredColumnIsRejected() throws IOException {
        Path p = write("nogpumilli.csv", "name,cpu_milli,memory_mib,num_gpu", "pod-a,1,1,0");
        TraceFormatException e = readFails(p);
        // there is no bad cell value: the value is absent, the message names the column and the columns found
        assertDiagnostic(e, p, 1, "gpu_milli", null, "a column named 'gpu_milli'", "required",
                "[name, cpu_milli, memory_mib, num_gpu]");
    }

    @Test
    void unknownColumnIsRejected() throws IOException {
        Path p = write("extra.csv", HEADER_5 + ",gpu_type", "pod-a,1,1,0,0,T4");
        TraceFormatException e = readFails(p);
        assertDiagnostic(e, p, 1, "gpu_type", "gpu_type", "one of the known columns", "gpu_milli", "gpu_spec");
    }

    @Test
    void duplicateColumnIsRejected() throws IOException {
        Path p = write("dupcol.csv", HEADER_5 + ",cpu_milli", "pod-a,1,1,0,0,1");
        TraceFormatException e = readFails(p);
        assertDiagnostic(e, p, 1, "cpu_milli", "cpu_milli", "each column once");
    }

    @Test
    void aFileHoldingOnlyAByteOrderMarkIsRejectedAsEmpty() throws IOException {
        Path p = dir.resolve("bom_only.csv");
        Files.write(p, new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF});
        TraceFormatException e = readFails(p);
        assertDiagnostic(e, p, 1, null, null, "the file is empty");
    }

    @Test
    void aNumberWithAPlusSignIsRejected() throws IOException {
        Path p = write("plus.csv", HEADER_5, "p1,+5,1024,0,0");
        TraceFormatException e = readFails(p);
        assertDiagnostic(e, p, 2, "cpu_milli", "+5", "a whole number");
    }

    @Test
    void emptyFileIsRejected() throws IOException {
        Path p = dir.resolve("empty.csv");
        Files.writeString(p, "");
        TraceFormatException e = readFails(p);
        assertDiagnostic(e, p, 1, null, null, "a header line", "the file is empty");
    }

    @Test
    void headerOnlyFileIsRejected() throws IOException {
        Path p = write("headeronly.csv", HEADER_11);
        TraceFormatException e = readFails(p);
        assertDiagnostic(e, p, 2, null, null, "at least one data row", "only a header");
    }

    @Test
    void headerFollowedOnlyByBlankLinesCountsAsHeaderOnly() throws IOException {
        Path p = write("headerblank.csv", HEADER_5, "", "  ");
        TraceFormatException e = readFails(p);
        assertDiagnostic(e, p, 2, null, null, "at least one data row");
    }

    @Test
    void missingFileSuggestsTraceDownload() {
        Path p = dir.resolve("openb_pod_list_nosuch.csv");
        TraceFormatException e = readFails(p);
        assertThat(e.file()).isEqualTo(p.toString());
        assertThat(e.line()).isZero();
        assertThat(e.column()).isNull();
        assertThat(e.value()).isNull();
        assertThat(e.getMessage())
                .contains("openb_pod_list_nosuch.csv")
                .contains("not found")
                .contains("trace download")
                .doesNotContain("line ");
    }

    // ---------------------------------------------------------------- row shape

    @Test
    void rowWithTooFewFieldsIsRejected() throws IOException {
        Path p = write("short.csv", HEADER_11, "pod-a,1000,1024,0,0,,LS,Running,1,2,3", "pod-b,1000,1024,0,0,,LS");
        TraceFormatException e = readFails(p);
        assertDiagnostic(e, p, 3, null, "pod-b,1000,1024,0,0,,LS", "11 comma-separated fields", "found 7");
    }

    @Test
    void rowWithTooManyFieldsIsRejected() throws IOException {
        Path p = write("long.csv", HEADER_5, "pod-a,1000,1024,0,0,");
        TraceFormatException e = readFails(p);
        assertDiagnostic(e, p, 2, null, "pod-a,1000,1024,0,0,", "5 comma-separated fields", "found 6");
    }

    // ---------------------------------------------------------------- cell values

    @Test
    void nonNumericValueIsRejected() throws IOException {
        Path p = write("nonnum.csv", HEADER_5, "pod-a,lots,1024,0,0");
        TraceFormatException e = readFails(p);
        assertDiagnostic(e, p, 2, "cpu_milli", "lots", "a whole number from 0 to " + Integer.MAX_VALUE);
    }

    @Test
    void fractionalValueIsRejected() throws IOException {
        Path p = write("frac.csv", HEADER_5, "pod-a,1000,1024.5,0,0");
        TraceFormatException e = readFails(p);
        assertDiagnostic(e, p, 2, "memory_mib", "1024.5", "a whole number from 0 to");
    }

    @Test
    void emptyRequiredNumberIsRejected() throws IOException {
        Path p = write("emptynum.csv", HEADER_5, "pod-a,1000,,0,0");
        TraceFormatException e = readFails(p);
        assertDiagnostic(e, p, 2, "memory_mib", "", "a whole number from 0 to");
    }

    @Test
    void negativeValueIsRejected() throws IOException {
        Path p = write("neg.csv", HEADER_5, "pod-a,1000,-1024,0,0");
        TraceFormatException e = readFails(p);
        assertDiagnostic(e, p, 2, "memory_mib", "-1024", "a whole number from 0 to");
    }

    @Test
    void negativeTimeIsRejected() throws IOException {
        Path p = write("negtime.csv", HEADER_11, "pod-a,1000,1024,0,0,,LS,Running,5,-3,5");
        TraceFormatException e = readFails(p);
        assertDiagnostic(e, p, 2, "deletion_time", "-3", "a whole number from 0 to");
    }

    @Test
    void numGpuAboveSixteenIsRejected() throws IOException {
        Path p = write("manygpu.csv", HEADER_5, "pod-a,1000,1024,17,1000");
        TraceFormatException e = readFails(p);
        assertDiagnostic(e, p, 2, "num_gpu", "17", "a whole number from 0 to 16");
    }

    @Test
    void multiGpuPodWithPartialGpuMilliIsRejected() throws IOException {
        Path p = write("multishare.csv", HEADER_5, "pod-a,1000,1024,2,500");
        TraceFormatException e = readFails(p);
        assertDiagnostic(e, p, 2, "gpu_milli", "500", "1000 for a pod with num_gpu 2", "whole GPUs");
    }

    @Test
    void cpuOnlyPodWithGpuMilliIsRejected() throws IOException {
        Path p = write("cpushare.csv", HEADER_5, "pod-a,1000,1024,0,250");
        TraceFormatException e = readFails(p);
        assertDiagnostic(e, p, 2, "gpu_milli", "250", "0 for a CPU-only pod (num_gpu 0)");
    }

    @Test
    void gpuPodWithZeroGpuMilliIsRejected() throws IOException {
        Path p = write("gpuzero.csv", HEADER_5, "pod-a,1000,1024,1,0");
        TraceFormatException e = readFails(p);
        assertDiagnostic(e, p, 2, "gpu_milli", "0", "1..1000 milli-GPU per GPU for a pod with num_gpu 1");
    }

    @Test
    void gpuMilliAboveOneThousandIsRejected() throws IOException {
        Path p = write("over.csv", HEADER_5, "pod-a,1000,1024,1,1001");
        TraceFormatException e = readFails(p);
        assertDiagnostic(e, p, 2, "gpu_milli", "1001", "a whole number from 0 to 1000");
    }

    @Test
    void unknownModelInGpuSpecIsRejected() throws IOException {
        Path p = write("spec.csv", HEADER_11, "pod-a,1000,1024,1,500,T4|H999,LS,Running,1,2,3");
        TraceFormatException e = readFails(p);
        assertDiagnostic(e, p, 2, "gpu_spec", "T4|H999", "known GPU models", "unknown: 'H999'", "V100M32");
    }

    @Test
    void emptyEntryInGpuSpecIsRejected() throws IOException {
        Path p = write("spec.csv", HEADER_11, "pod-a,1000,1024,1,500,T4|,LS,Running,1,2,3");
        TraceFormatException e = readFails(p);
        assertDiagnostic(e, p, 2, "gpu_spec", "T4|", "unknown: ''");
    }

    @Test
    void unknownQosIsRejected() throws IOException {
        Path p = write("qos.csv", HEADER_11, "pod-a,1000,1024,0,0,,Premium,Running,1,2,3");
        TraceFormatException e = readFails(p);
        assertDiagnostic(e, p, 2, "qos", "Premium", "one of LS, BE, Burstable, Guaranteed, or empty");
    }

    @Test
    void unknownPodPhaseIsRejected() throws IOException {
        Path p = write("phase.csv", HEADER_11, "pod-a,1000,1024,0,0,,LS,Exploded,1,2,3");
        TraceFormatException e = readFails(p);
        assertDiagnostic(e, p, 2, "pod_phase", "Exploded", "one of Running, Pending, Failed, Succeeded, Unknown, or empty");
    }

    @Test
    void duplicatePodNameIsRejected() throws IOException {
        Path p = write("dup.csv", HEADER_5, "pod-a,1000,1024,0,0", "pod-b,1000,1024,0,0", "pod-a,2000,2048,1,1000");
        TraceFormatException e = readFails(p);
        assertDiagnostic(e, p, 4, "name", "pod-a", "a unique pod name");
    }

    @Test
    void emptyPodNameIsRejected() throws IOException {
        Path p = write("noname.csv", HEADER_5, ",1000,1024,0,0");
        TraceFormatException e = readFails(p);
        assertDiagnostic(e, p, 2, "name", "", "a non-empty pod name");
    }

    @Test
    void badLastRowThrowsSoNothingIsHalfLoaded() throws IOException {
        StringBuilder sb = new StringBuilder(HEADER_5).append('\n');
        for (int i = 0; i < 100; i++) {
            sb.append("pod-").append(i).append(",1000,1024,1,").append(100 + i).append('\n');
        }
        sb.append("pod-last,1000,1024,1,5000\n");
        Path p = dir.resolve("lastbad.csv");
        Files.writeString(p, sb.toString());

        TraceFormatException e = readFails(p);

        assertDiagnostic(e, p, 102, "gpu_milli", "5000", "a whole number from 0 to 1000");
    }

    // ---------------------------------------------------------------- the real openb traces

    static Path sharedOpenb() {
        String shared = System.getProperty("archipelago.shared");
        Assumptions.assumeTrue(shared != null && !shared.isBlank() && !shared.contains("${"),
                "system property archipelago.shared not set");
        Path openb = Path.of(shared, "traces", "openb");
        Assumptions.assumeTrue(Files.isDirectory(openb), "shared traces not present at " + openb);
        return openb;
    }

    @Test
    void realOpenbPodListsParseWithTheDocumentedCounts() {
        Path openb = sharedOpenb();

        Path def = TraceLocator.podFile(openb, "default");
        Assumptions.assumeTrue(Files.isRegularFile(def), "missing " + def);
        List<TaskSpec> defaults = PodCsvReader.read(def);
        assertThat(defaults).hasSize(8152);
        assertThat(defaults.stream().filter(t -> t.gpuCount() == 0).count()).isEqualTo(1088);
        assertThat(defaults).allSatisfy(t -> assertThat(t.qos()).isNotEqualTo(Qos.UNSPECIFIED));

        Path multi = TraceLocator.podFile(openb, "multigpu20");
        Assumptions.assumeTrue(Files.isRegularFile(multi), "missing " + multi);
        List<TaskSpec> multigpu = PodCsvReader.read(multi);
        assertThat(multigpu).hasSize(8324);
        assertThat(multigpu).allSatisfy(t -> {
            assertThat(t.qos()).isEqualTo(Qos.UNSPECIFIED);
            assertThat(t.creationTime()).isEqualTo(-1);
        });

        Path spec = TraceLocator.podFile(openb, "gpuspec10");
        Assumptions.assumeTrue(Files.isRegularFile(spec), "missing " + spec);
        List<TaskSpec> gpuspec = PodCsvReader.read(spec);
        assertThat(gpuspec.stream().filter(t -> !t.gpuSpec().isEmpty()).count()).isEqualTo(732);
        assertThat(gpuspec).allSatisfy(t -> assertThat(t.gpuSpec().isEmpty()).isEqualTo(t.allowedModels() == 0));
    }
}
