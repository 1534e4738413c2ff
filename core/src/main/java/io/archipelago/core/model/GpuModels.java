package io.archipelago.core.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The catalogue of GPU models the engine knows, each with a small integer id so that a set of
 * allowed models is a {@code long} bit mask on the hot path.
 *
 * <p>The catalogue is fixed at class-load time and covers the models of the openb traces (A10, G2,
 * G3, P100, T4, V100M16, V100M32), the spot-GPU trace and the common data-centre GPUs. A name not in
 * the catalogue is rejected by the trace readers with a message that lists the known names.
 */
public final class GpuModels {
    private static final List<String> NAMES;
    private static final Map<String, Integer> IDS;

    static {
        List<String> names = List.of(
                "A10", "G2", "G3", "P100", "T4", "V100M16", "V100M32",
                "A100", "A100-40G", "A100-80G", "A800", "H100", "H800", "H20", "H200", "L20", "L40", "L40S",
                "A30", "A40", "B200", "GB200", "MI300X",
                // the spot-GPU node trace's own spellings (anonymised series and the SXM4 80 GB parts)
                "GPU-series-1", "GPU-series-2", "A100-SXM4-80GB", "A800-SXM4-80GB");
        Map<String, Integer> ids = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) {
            ids.put(names.get(i), i);
        }
        NAMES = names;
        IDS = Collections.unmodifiableMap(ids);
    }

    private GpuModels() {
    }

    /** Every known model name, in id order. */
    public static List<String> names() {
        return NAMES;
    }

    /** The id of a known model, or -1 if the name is not in the catalogue. */
    public static int idOf(String name) {
        Integer id = IDS.get(name);
        return id == null ? -1 : id;
    }

    /** The name of model {@code id}. */
    public static String nameOf(int id) {
        return NAMES.get(id);
    }

    /** A mask with one bit per model; 0 means "any model". */
    public static String describeMask(long mask) {
        if (mask == 0) {
            return "any";
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < NAMES.size(); i++) {
            if ((mask & (1L << i)) != 0) {
                out.add(NAMES.get(i));
            }
        }
        return String.join("|", out);
    }
}
