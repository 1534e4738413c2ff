package io.archipelago.core.framework;

/** Anything the framework calls by name. Names are unique within a profile. */
public interface Plugin {
    /** Stable name used in profiles, explanations and error messages. */
    String name();
}
