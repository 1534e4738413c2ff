package io.archipelago.server.api;

import io.archipelago.server.auth.Principal;
import io.javalin.http.HandlerType;

import java.util.List;
import java.util.Set;

/**
 * One API route: what the server registers and what /openapi.json documents, from the same record (a
 * test checks that the two agree).
 *
 * @param roles        who may call it; empty = no token needed
 * @param request      schema name of the JSON body (in components/schemas), or null
 * @param response     schema name of the success body, or null for none
 * @param status       the success status
 * @param query        documented query parameters
 * @param errors       the 4xx/5xx statuses it may answer (besides 401/403 for authenticated routes)
 */
public record Route(HandlerType method, String path, String summary, Set<Principal.Role> roles, String request, String response,
                    int status, List<Param> query, List<Integer> errors, RouteHandler handler) {
    /** A documented query parameter. */
    public record Param(String name, String type, String description) {
    }

    /** The handler of a route, given the authenticated principal (null for public routes). */
    @FunctionalInterface
    public interface RouteHandler {
        void handle(io.javalin.http.Context ctx, Principal principal) throws Exception;
    }
}
