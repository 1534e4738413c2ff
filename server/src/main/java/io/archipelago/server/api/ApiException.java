package io.archipelago.server.api;

/**
 * A request the service refuses, answered as an RFC 9457 {@code application/problem+json} body:
 * {@code type} (a stable slug), {@code title}, {@code status}, {@code detail} and, for input errors,
 * {@code field} (a JSON pointer-like path such as {@code resources.gpu.count}). Messages never carry a
 * stack trace or a credential.
 */
public final class ApiException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int status;
    private final String type;
    private final String field;

    public ApiException(int status, String type, String field, String detail) {
        super(detail, null, false, false);
        this.status = status;
        this.type = type;
        this.field = field;
    }

    /** 400: the body is not what the API expects (a missing or ill-typed field). */
    public static ApiException invalid(String field, String detail) {
        return new ApiException(400, "invalid-request", field, detail);
    }

    /** 422: well-formed, but no part of the fleet could ever satisfy it (unknown model or region, too large...). */
    public static ApiException unsatisfiable(String field, String detail) {
        return new ApiException(422, "unsatisfiable", field, detail);
    }

    public static ApiException notFound(String detail) {
        return new ApiException(404, "not-found", null, detail);
    }

    public int status() {
        return status;
    }

    public String type() {
        return type;
    }

    /** The offending field, or null. */
    public String field() {
        return field;
    }

    /** The short, fixed title of a status. */
    public String title() {
        return switch (status) {
            case 400 -> "Invalid request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not found";
            case 405 -> "Method not allowed";
            case 409 -> "Conflict";
            case 413 -> "Request too large";
            case 415 -> "Unsupported media type";
            case 422 -> "Unprocessable request";
            case 429 -> "Too many requests";
            case 503 -> "Service unavailable";
            default -> status >= 500 ? "Internal error" : "Request refused";
        };
    }
}
