package gemgate.server.admin;

import java.util.List;
import java.util.Map;

/**
 * What the admin API ({@link AdminApi}, under {@code /api/}) does, behind its login: the key pool, the statistics
 * and the runtime settings. The HTTP layer authenticates, checks and parses the request, calls one method, and sends
 * the returned JSON tree ({@link gemgate.core.json.Json} shapes: {@code Map<String,Object>}, {@code List},
 * {@code String}, {@code Number}, {@code Boolean}, null) as the answer body, unchanged but for one safety net: in
 * every answer except {@link #exportValidKeys()}, anything shaped like a Google key is masked.
 *
 * <p>Contract for implementations:
 * <ul>
 *   <li>Calls run on a Netty event loop: they must be cheap and never block (no file or network I/O, no waiting).
 *       Long work (validating keys, saving state) is started in the background and reports progress.</li>
 *   <li>Keys are identified by a stable, URL-safe, non-secret {@code id} (a fingerprint, e.g.
 *       {@link gemgate.core.keys.KeyMask#fingerprint}), never by the key itself; keys appear masked
 *       ({@link gemgate.core.keys.KeyMask#mask}) everywhere except in {@link #exportValidKeys()}.</li>
 *   <li>Failures a client caused are thrown as {@link gemgate.core.error.ApiException}: unknown key id
 *       ({@link gemgate.core.error.ApiError#keyNotFound}, 404), a bad setting name or value
 *       ({@link gemgate.core.error.ApiError#badRequest}, 400, with the setting as {@code param}), a conflicting state
 *       ({@link gemgate.core.error.ApiError#conflict}, 409). Any other exception becomes a 500 and is logged.</li>
 *   <li>Calls may come from several event loops at once: implementations are thread-safe.</li>
 * </ul>
 */
public interface AdminBackend {

    /**
     * {@code GET /api/keys}: every key, masked, with its id, state and per-model usage, e.g.
     * {@code {"keys":[{"id":"1a2b3c4d","key":"AIza…wxyz","state":"active","source":"env","models":{...}}],"count":1}}.
     */
    Map<String, Object> listKeys();

    /**
     * {@code POST /api/keys}: extracts the keys found in {@code pastedText} (any text: one per line, commas, a
     * pasted .env file...), drops duplicates and keys already in the pool, adds the rest and starts validating them
     * in the background. Answers what happened, masked, e.g. {@code {"added":[{"id":..,"key":"AIza…wxyz"}],
     * "duplicates":1,"already_present":2}}. Nothing found is a 400.
     */
    Map<String, Object> addKeys(String pastedText);

    /** {@code DELETE /api/keys/{id}}: removes the key; 404 when unknown. Answers e.g. {@code {"removed":"1a2b3c4d"}}. */
    Map<String, Object> removeKey(String id);

    /**
     * {@code POST /api/keys/{id}/disable} and {@code /enable}: takes the key out of (or back into) the rotation by
     * hand; 404 when unknown. Answers the key's entry as {@link #listKeys()} shows it.
     */
    Map<String, Object> setKeyDisabled(String id, boolean disabled);

    /**
     * {@code POST /api/keys/test}: starts checking every key in the background (bounded concurrency) and returns at
     * once with its progress, as {@link #testProgress()}. When a test already runs, returns that test's progress.
     */
    Map<String, Object> testAllKeys();

    /**
     * {@code GET /api/keys/test}: progress of the current or last key test, e.g. {@code {"running":true,"total":30,
     * "done":12,"valid":10,"invalid":2,"started_at":"...","finished_at":null}}.
     */
    Map<String, Object> testProgress();

    /** {@code POST /api/keys/clear-invalid}: removes every key known to be invalid, e.g. {@code {"removed":3}}. */
    Map<String, Object> clearInvalidKeys();

    /**
     * {@code POST /api/keys/export}: the full text of every key currently valid (not invalid, not disabled), in pool
     * order. The only method that returns unmasked keys; the HTTP layer sends them only on this explicit request.
     */
    List<String> exportValidKeys();

    /**
     * {@code GET /api/stats}: usage statistics (calls, tokens and errors per key, per model, per minute; totals for
     * the last minute, hour and 24 h). Keys masked.
     */
    Map<String, Object> stats();

    /** {@code POST /api/stats/reset}: clears the statistics; answers e.g. {@code {"reset":true}}. */
    Map<String, Object> resetStats();

    /**
     * {@code GET /api/settings}: the settings that can be changed at runtime with their current values, and which of
     * them the environment shadows (an environment value wins over a runtime change). Secrets never appear.
     */
    Map<String, Object> settings();

    /**
     * {@code PATCH} (or {@code PUT}) {@code /api/settings}: applies {@code changes} (setting name to new value; only
     * the named ones change), validated as at start-up, and persists them. All or nothing: one bad value is a 400 and
     * nothing changes. Answers the new {@link #settings()} plus the names whose change the environment shadows.
     */
    Map<String, Object> updateSettings(Map<String, Object> changes);
}
