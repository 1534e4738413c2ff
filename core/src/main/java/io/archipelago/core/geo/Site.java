package io.archipelago.core.geo;

import java.time.LocalDate;
import java.util.Objects;

/**
 * A data centre.
 *
 * @param name            unique site name, e.g. {@code SIN-A}
 * @param region          id of its {@link Region}
 * @param zone            availability zone inside the region, e.g. {@code a}
 * @param powerMw         facility power the site may draw, MW (&gt; 0); the pools' peak IT load × PUE must fit
 * @param pue             power usage effectiveness (≥ 1)
 * @param tariffUsdPerKwh energy price, USD per kWh (≥ 0)
 * @param buildUsdPerWatt facility build cost, USD per watt of IT load (≥ 0; amortised over
 *                        {@link Finance#facilityYears()})
 * @param opens           the day the site takes work; before that its nodes are down
 */
public record Site(String name, String region, String zone, double powerMw, double pue, double tariffUsdPerKwh,
                   double buildUsdPerWatt, LocalDate opens) {
    public Site {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(region, "region");
        Objects.requireNonNull(zone, "zone");
        Objects.requireNonNull(opens, "opens");
        if (!(powerMw > 0) || !(pue >= 1) || !(tariffUsdPerKwh >= 0) || !(buildUsdPerWatt >= 0)) {
            throw new IllegalArgumentException("site " + name + ": power " + powerMw + " MW, PUE " + pue + ", tariff "
                    + tariffUsdPerKwh + " $/kWh, build " + buildUsdPerWatt + " $/W; expected power > 0, PUE >= 1, tariff >= 0,"
                    + " build >= 0");
        }
    }
}
