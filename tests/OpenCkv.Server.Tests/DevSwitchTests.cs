using System.Net;
using System.Text;
using System.Text.Json;
using OpenCkv.Crypto;
using OpenCkv.KeyTransparency;
using OpenCkv.KeyTransparency.Search;
using OpenCkv.KeyTransparency.Tls;
using OpenCkv.Protocol;

namespace OpenCkv.Server.Tests;

/// <summary>
/// The `--dev` server's development switches: <c>POST /dev/clock</c> moves the server's clock, <c>POST /dev/misbehave</c>
/// plays a malicious-server scenario. Neither exists without development mode.
/// </summary>
public sealed class DevSwitchTests
{
    private static readonly long Day = (long)TimeSpan.FromDays(1).TotalMilliseconds;

    [Fact]
    public async Task The_clock_moves_forward_and_the_next_log_entry_carries_the_moved_time()
    {
        await using LoopbackServer server = await LoopbackServer.StartAsync();
        ulong before = await LastTimestampAsync(server);
        long systemNow = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        Assert.InRange((long)before, systemNow - 60_000, systemNow + 1_000);

        using JsonDocument moved = await PostAsync(server, "/dev/clock", "{\"advanceMs\":" + Day + "}", HttpStatusCode.OK);
        long nowMs = moved.RootElement.GetProperty("nowMs").GetInt64();
        Assert.InRange(nowMs, systemNow + Day, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + Day + 1_000);

        // Registration needs no signed request (whose timestamp the moved clock would now refuse), and is a new entry.
        await TestAccount.RegisterAsync(server, "mailto:later@example.com");
        ulong after = await LastTimestampAsync(server);
        Assert.InRange((long)after, nowMs, nowMs + 60_000);
        using JsonDocument entries = JsonDocument.Parse(await server.Http.GetStringAsync(new Uri("/v1/log/entries?from=0&limit=100", UriKind.Relative)));
        JsonElement last = entries.RootElement.GetProperty("entries").EnumerateArray().Last();
        Assert.Equal(1, last.GetProperty("newVersions").GetInt32());
        Assert.Equal(after, last.GetProperty("timestamp").GetUInt64());

        // Zero reads the clock; it never moves back, and stays where it was after a refusal.
        foreach (string refused in new[] { "{\"advanceMs\":-1}", "{}", "{\"advanceMs\":316224000001}", "{\"advanceMs\":1.5}", "{\"advance_ms\":1000}", "{\"advanceMs\":1,\"extra\":0}", "" })
        {
            using JsonDocument problem = await PostAsync(server, "/dev/clock", refused, HttpStatusCode.BadRequest);
            Assert.Equal("urn:openckv:problem:bad-input", problem.RootElement.GetProperty("type").GetString());
        }

        using JsonDocument read = await PostAsync(server, "/dev/clock", "{\"advanceMs\":0}", HttpStatusCode.OK);
        Assert.InRange(read.RootElement.GetProperty("nowMs").GetInt64(), nowMs, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + Day + 1_000);
    }

    [Fact]
    public async Task Inject_device_publishes_a_record_the_log_proves_and_the_record_check_refuses_as_badly_signed()
    {
        await using LoopbackServer server = await LoopbackServer.StartAsync();
        TestAccount alice = await TestAccount.RegisterAsync(server, "mailto:alice@example.com");
        (_, HandleRecord honest) = await alice.LookUpAsync(alice.Label);
        ulong sizeBefore = await server.TreeSizeAsync();

        using JsonDocument injected = await PostAsync(server, "/dev/misbehave", "{\"scenario\":\"inject-device\",\"handle\":\"alice@example.com\"}", HttpStatusCode.OK);
        Assert.Equal("inject-device", injected.RootElement.GetProperty("scenario").GetString());
        Assert.Equal(alice.Label, injected.RootElement.GetProperty("label").GetString());
        Assert.Equal(1u, injected.RootElement.GetProperty("version").GetUInt32());
        string deviceId = injected.RootElement.GetProperty("deviceId").GetString()!;
        Assert.Equal(32, deviceId.Length);
        Assert.True(await server.TreeSizeAsync() > sizeBefore);

        // The log proves the forged version as the greatest; the record check refuses it, for its signature alone.
        (VerifiedSearch search, byte[] value) = await SearchAsync(alice);
        Assert.Equal(1u, search.Version);
        RecordException refused = Assert.Throws<RecordException>(() => RecordCheck.Verify(value, Encoding.UTF8.GetBytes(alice.Label), search.Version));
        Assert.Equal(RecordFailure.BadSignature, refused.Failure);

        HandleRecord forged = TlsCodec.Decode<HandleRecord>(value);
        Assert.Equal(honest.Devices.Count + 1, forged.Devices.Count);
        Assert.Equal(honest.Devices, forged.Devices.Take(honest.Devices.Count));
        Device slipped = forged.Devices[^1];
        Assert.Equal(deviceId, Convert.ToHexStringLower(slipped.DeviceId));
        Assert.True(slipped.PossessionVerifies(alice.AccountId, alice.AccountKey.PublicKey.Encoded.ToArray()));
        Assert.Equal(honest.Counter + 1, forged.Counter);
        Assert.Equal(honest.Hash(), forged.PreviousRecordHash);
        Assert.Equal(honest.State, forged.State);
        Assert.Equal(honest.AccountKey, forged.AccountKey);
        Assert.Equal(honest.Signature, forged.Signature);
        Assert.True(KeyContinuity.Follows(honest, forged));

        // The directory keeps its story straight: the forged record is the handle's newest, so a second injection follows it.
        using JsonDocument again = await PostAsync(server, "/dev/misbehave", "{\"scenario\":\"inject-device\",\"handle\":\"mailto:alice@example.com\"}", HttpStatusCode.OK);
        Assert.Equal(2u, again.RootElement.GetProperty("version").GetUInt32());
        (VerifiedSearch second, byte[] secondValue) = await SearchAsync(alice);
        Assert.Equal(2u, second.Version);
        HandleRecord twice = TlsCodec.Decode<HandleRecord>(secondValue);
        Assert.Equal(forged.Hash(), twice.PreviousRecordHash);
        Assert.Equal(honest.Devices.Count + 2, twice.Devices.Count);

        using JsonDocument honestAgain = await PostAsync(server, "/dev/misbehave", "{\"scenario\":\"honest\"}", HttpStatusCode.OK);
        Assert.Equal("honest", honestAgain.RootElement.GetProperty("scenario").GetString());
    }

    [Fact]
    public async Task Misbehave_refuses_an_unknown_scenario_a_missing_handle_and_a_handle_nobody_holds()
    {
        await using LoopbackServer server = await LoopbackServer.StartAsync();
        ulong size = await server.TreeSizeAsync();

        using JsonDocument unknown = await PostAsync(server, "/dev/misbehave", "{\"scenario\":\"steal-keys\",\"handle\":\"mailto:alice@example.com\"}", HttpStatusCode.BadRequest);
        Assert.Equal("urn:openckv:problem:unknown-scenario", unknown.RootElement.GetProperty("type").GetString());
        string[] known = unknown.RootElement.GetProperty("evidence").EnumerateArray().Select(e => e.GetString()!).ToArray();
        Assert.Equal("honest", known[0]);
        Assert.Equal(ScenariosInTheThreatModel().Order(StringComparer.Ordinal), known.Skip(1).Order(StringComparer.Ordinal));

        foreach (string bad in new[] { "{\"scenario\":\"inject-device\"}", "{\"handle\":\"mailto:alice@example.com\"}", "{\"scenario\":\"inject-device\",\"handle\":\"not a handle\"}" })
        {
            (await PostAsync(server, "/dev/misbehave", bad, HttpStatusCode.BadRequest)).Dispose();
        }

        using JsonDocument nobody = await PostAsync(server, "/dev/misbehave", "{\"scenario\":\"inject-device\",\"handle\":\"mailto:nobody@example.com\"}", HttpStatusCode.NotFound);
        Assert.Equal("urn:openckv:problem:not-found", nobody.RootElement.GetProperty("type").GetString());
        Assert.Equal(size, await server.TreeSizeAsync());
    }

    [Fact]
    public async Task Without_development_mode_neither_switch_exists()
    {
        await using LoopbackServer server = await LoopbackServer.StartAsync(o => o with { Dev = false });
        ulong size = await server.TreeSizeAsync();
        using (await PostAsync(server, "/dev/clock", "{\"advanceMs\":86400000}", HttpStatusCode.NotFound))
        using (await PostAsync(server, "/dev/misbehave", "{\"scenario\":\"honest\"}", HttpStatusCode.NotFound))
        using (await PostAsync(server, "/dev/misbehave", "{\"scenario\":\"inject-device\",\"handle\":\"mailto:alice@example.com\"}", HttpStatusCode.NotFound))
        {
        }

        using HttpResponseMessage codes = await server.Http.GetAsync(new Uri("/dev/codes/mailto:alice@example.com", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, codes.StatusCode);
        Assert.DoesNotContain("/dev/", await server.Http.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative)), StringComparison.Ordinal);
        Assert.Equal(size, await server.TreeSizeAsync());
    }

    [Fact]
    public async Task The_development_switches_are_in_the_openapi_document_of_a_development_server()
    {
        await using LoopbackServer server = await LoopbackServer.StartAsync();
        using JsonDocument openapi = JsonDocument.Parse(await server.Http.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative)));
        JsonElement paths = openapi.RootElement.GetProperty("paths");
        foreach ((string path, string method) in new[] { ("/dev/clock", "post"), ("/dev/misbehave", "post"), ("/dev/codes/{handle}", "get") })
        {
            JsonElement tags = paths.GetProperty(path).GetProperty(method).GetProperty("tags");
            Assert.Equal("Development", Assert.Single(tags.EnumerateArray()).GetString());
        }
    }

    private static async Task<ulong> LastTimestampAsync(LoopbackServer server)
    {
        using JsonDocument json = JsonDocument.Parse(await server.Http.GetStringAsync(new Uri("/v1/log/", UriKind.Relative)));
        return json.RootElement.GetProperty("lastTimestamp").GetUInt64();
    }

    /// <summary>Posts JSON, checks the status (and a problem's media type), and answers the body.</summary>
    private static async Task<JsonDocument> PostAsync(LoopbackServer server, string path, string json, HttpStatusCode status)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using HttpResponseMessage response = await server.Http.PostAsync(new Uri(path, UriKind.Relative), content);
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"{path} {json}: {(int)response.StatusCode} {body}");
        if ((int)status >= 400)
        {
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }

        return JsonDocument.Parse(body.Length == 0 ? "{}" : body);
    }

    /// <summary>A verified greatest-version search for the account's handle, as <see cref="TestAccount.LookUpAsync(string, ClientState?, Client.Http.DirectoryClient?)"/> makes it, before any record check.</summary>
    private static async Task<(VerifiedSearch Search, byte[] Value)> SearchAsync(TestAccount account)
    {
        Configuration configuration = TlsCodec.Decode<Configuration>(await account.Client.ConfigurationAsync());
        var request = new SearchRequest(null, Encoding.UTF8.GetBytes(account.Label), null);
        byte[] answer = await account.Client.KtAsync("search", TlsCodec.Encode(request), account.Credentials);
        SearchResponse response = KtMessages.DecodeSearch(answer, versionRequested: false, configuration.Mode);
        VerifiedSearch verified = SearchVerifier.VerifyGreatestVersion(
            CryptoSuite.Fastest, configuration, null, request, response, (ulong)DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        return (verified, verified.Value.Value);
    }

    /// <summary>The scenario names the table of docs/threat-model.md lists, each the first cell of a row.</summary>
    private static IEnumerable<string> ScenariosInTheThreatModel()
    {
        DirectoryInfo? folder = new(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "docs", "threat-model.md")))
        {
            folder = folder.Parent;
        }

        Assert.NotNull(folder);
        string text = File.ReadAllText(Path.Combine(folder.FullName, "docs", "threat-model.md"));
        string section = text[text.IndexOf("## Malicious-server scenarios", StringComparison.Ordinal)..text.IndexOf("## Not defended against", StringComparison.Ordinal)];
        return System.Text.RegularExpressions.Regex.Matches(section, @"^\| `([a-z-]+)`", System.Text.RegularExpressions.RegexOptions.Multiline).Select(m => m.Groups[1].Value);
    }
}
