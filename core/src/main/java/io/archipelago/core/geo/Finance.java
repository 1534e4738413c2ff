package io.archipelago.core.geo;

/**
 * How the fleet's costs are spread over time.
 *
 * @param serverYears    straight-line depreciation period of servers, years (&gt; 0)
 * @param facilityYears  amortisation period of facility build cost, years (&gt; 0)
 * @param idlePowerShare share of a server's average power it draws with no GPU allocated (0..1); a
 *                       server draws {@code avgKw × (idle + (1 − idle) × allocated GPU share)}
 */
public record Finance(double serverYears, double facilityYears, double idlePowerShare) {
    public Finance {
        if (!(serverYears > 0) || !(facilityYears > 0) || !(idlePowerShare >= 0 && idlePowerShare <= 1)) {
            throw new IllegalArgumentException("finance: server_years " + serverYears + ", facility_years " + facilityYears
                    + ", idle_power_share " + idlePowerShare + "; expected years > 0 and 0 <= idle share <= 1");
        }
    }
}
