package io.archipelago.sim.engine;

import io.archipelago.core.geo.RegionalFleet;
import io.archipelago.core.geo.Site;
import io.archipelago.core.model.NodeSpec;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The machines of a simulation and the site each one stands in.
 *
 * @param nodes     the nodes, in index order (ties in scoring go to the lowest index)
 * @param site      site index of each node
 * @param siteNames name of each site
 * @param geo       the multi-region fleet these nodes were laid out from ({@link RegionalFleet#layout()}),
 *                  or null for a fleet without regions
 */
public record Fleet(List<NodeSpec> nodes, int[] site, List<String> siteNames, RegionalFleet geo) {
    /** A fleet without regions. */
    public Fleet(List<NodeSpec> nodes, int[] site, List<String> siteNames) {
        this(nodes, site, siteNames, null);
    }

    /** The nodes of a multi-region fleet, site by site as {@link RegionalFleet#layout()} lays them out. */
    public static Fleet regional(RegionalFleet geo) {
        RegionalFleet.Layout l = geo.layout();
        return new Fleet(l.nodes(), l.siteOfNode(), geo.sites().stream().map(Site::name).toList(), geo);
    }

    public Fleet {
        nodes = List.copyOf(nodes);
        siteNames = List.copyOf(siteNames);
        site = site.clone();
        if (nodes.isEmpty()) {
            throw new IllegalArgumentException("the fleet has no node; give at least one node type with count >= 1");
        }
        if (site.length != nodes.size()) {
            throw new IllegalArgumentException("site array has " + site.length + " entries for " + nodes.size() + " nodes");
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < site.length; i++) {
            if (site[i] < 0 || site[i] >= siteNames.size()) {
                throw new IllegalArgumentException("node " + nodes.get(i).name() + ": site index " + site[i] + " outside 0.."
                        + (siteNames.size() - 1));
            }
            if (!names.add(nodes.get(i).name())) {
                throw new IllegalArgumentException("node name " + nodes.get(i).name() + " appears twice in the fleet");
            }
        }
    }

    /** All nodes in one site named {@code site-1}, or split into {@code sites} contiguous blocks of near-equal size. */
    public static Fleet of(List<NodeSpec> nodes, int sites) {
        if (sites < 1 || sites > nodes.size()) {
            throw new IllegalArgumentException("sites = " + sites + ": expected 1.." + nodes.size() + " (at most one site per node)");
        }
        int[] s = new int[nodes.size()];
        for (int i = 0; i < s.length; i++) {
            s[i] = (int) ((long) i * sites / s.length);
        }
        String[] names = new String[sites];
        for (int k = 0; k < sites; k++) {
            names[k] = "site-" + (k + 1);
        }
        return new Fleet(nodes, s, List.of(names));
    }

    public int size() {
        return nodes.size();
    }

    /** Total GPUs of the fleet. */
    public long gpus() {
        long g = 0;
        for (NodeSpec n : nodes) {
            g += n.gpuCount();
        }
        return g;
    }
}
