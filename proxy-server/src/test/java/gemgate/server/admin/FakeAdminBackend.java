package gemgate.server.admin;

import gemgate.core.error.ApiError;
import gemgate.core.error.ApiException;
import gemgate.core.json.Json;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * An {@link AdminBackend} that records every call and answers canned trees. Its answers deliberately carry the full
 * key in places a careless real backend might (list, stats, add), so tests can see that only the export shows it.
 */
public final class FakeAdminBackend implements AdminBackend {
    /** Built at run time: no key-shaped literal in the repository. */
    public static final String FULL_KEY = "AIza" + "Sy" + "FakeAdminKeyFakeAdminKeyFake01234";
    public static final String KNOWN_ID = "1a2b3c4d";

    public final List<String> calls = Collections.synchronizedList(new ArrayList<>());
    public volatile Map<String, Object> lastSettingsChange;

    private void known(String id) {
        if (!id.equals(KNOWN_ID)) {
            throw new ApiException(ApiError.keyNotFound(id));
        }
    }

    @Override
    public Map<String, Object> listKeys() {
        calls.add("listKeys");
        return Json.object("keys", List.of(Json.object("id", KNOWN_ID, "key", FULL_KEY, "state", "active")), "count", 1);
    }

    @Override
    public Map<String, Object> addKeys(String pastedText) {
        calls.add("addKeys:" + pastedText.length());
        if (pastedText.isBlank()) {
            throw new ApiException(ApiError.badRequest("No keys found in the text.", "keys"));
        }
        return Json.object("added", List.of(Json.object("id", KNOWN_ID, "key", FULL_KEY)), "duplicates", 0);
    }

    @Override
    public Map<String, Object> removeKey(String id) {
        calls.add("removeKey:" + id);
        known(id);
        return Json.object("removed", id);
    }

    @Override
    public Map<String, Object> setKeyDisabled(String id, boolean disabled) {
        calls.add("setKeyDisabled:" + id + ":" + disabled);
        known(id);
        return Json.object("id", id, "state", disabled ? "disabled" : "active");
    }

    @Override
    public Map<String, Object> testAllKeys() {
        calls.add("testAllKeys");
        return Json.object("running", true, "total", 1, "done", 0);
    }

    @Override
    public Map<String, Object> testProgress() {
        calls.add("testProgress");
        return Json.object("running", false, "total", 1, "done", 1, "valid", 1, "invalid", 0);
    }

    @Override
    public Map<String, Object> clearInvalidKeys() {
        calls.add("clearInvalidKeys");
        return Json.object("removed", 0);
    }

    @Override
    public List<String> exportValidKeys() {
        calls.add("exportValidKeys");
        return List.of(FULL_KEY);
    }

    @Override
    public Map<String, Object> stats() {
        calls.add("stats");
        return Json.object("last_minute", Json.object("calls", 1), "per_key", Json.object(FULL_KEY, Json.object("calls", 1)));
    }

    @Override
    public Map<String, Object> resetStats() {
        calls.add("resetStats");
        return Json.object("reset", true);
    }

    @Override
    public Map<String, Object> settings() {
        calls.add("settings");
        return Json.object("settings", Json.object("FAKE_STREAMING", true), "shadowed", List.of());
    }

    @Override
    public Map<String, Object> updateSettings(Map<String, Object> changes) {
        calls.add("updateSettings:" + changes.keySet());
        if (changes.containsKey("NO_SUCH_SETTING")) {
            throw new ApiException(ApiError.badRequest("Unknown setting NO_SUCH_SETTING.", "NO_SUCH_SETTING"));
        }
        lastSettingsChange = changes;
        return Json.object("settings", changes, "shadowed", List.of());
    }
}
