using System.Text.Json;

namespace OpenCkv.Server.Tests;

/// <summary>
/// The malicious-server scenarios in which the server publishes a handle record the account key did not sign
/// (docs/threat-model.md): each is proven by the log like any record, and caught by the device's whole-record check
/// with one exact, sticky warning; nothing is ever encrypted to a key the attacker holds, the device's pin stays on
/// the last good record, and its retained log state keeps verifying the honest log afterwards.
/// </summary>
public sealed class RecordForgeryScenarioTests
{
    [Theory]
    [InlineData("inject-device", "unknown-device")]
    [InlineData("substitute-key", "bad-signature")]
    [InlineData("foreign-signature", "bad-signature")]
    [InlineData("replay-record", "malformed-record")]
    [InlineData("unsigned-rotation", "broken-chain")]
    [InlineData("unsigned-opt-out", "unsigned-opt-out")]
    public async Task A_record_the_account_key_did_not_sign_is_one_sticky_warning_and_nothing_reaches_the_attacker(string scenario, string code)
    {
        using CkvCli cli = await CkvCli.StartAsync();
        await cli.TwoPeopleAsync(ckvOn: true);
        await cli.OkAsync("alice", "contacts", "set-code", "Bob", (await cli.OkAsync("bob", "code", "copy")).Trim());
        await Scenarios.ExpectAsync(cli, "alice", "Bob", "Verified");
        uint? trusted = await Scenarios.PinnedVersionAsync(cli, "alice", "Bob");

        JsonElement played = await Scenarios.PlayAsync(cli, scenario, CkvCli.Bob);
        Assert.Equal(trusted + 1, played.GetProperty("version").GetUInt32());

        await Scenarios.ExpectAsync(cli, "alice", "Bob", "Warning", code);
        Assert.Equal("warning", (await Scenarios.AlertAsync(cli, "alice", code)).GetProperty("severity").GetString());

        // A forgery that re-keys the account leaves Bob's phone out of the record the server serves, so the server
        // no longer lets it in; the attacker's own keys are the ones that matter, and they read nothing.
        string? bobsPhone = scenario == "unsigned-rotation" ? null : "bob";
        await Scenarios.NothingSentAsync(cli, "alice", "Bob", bobsPhone);
        Assert.Equal(trusted, await Scenarios.PinnedVersionAsync(cli, "alice", "Bob"));

        // The lie is in the log for good: acknowledging it does not make it acceptable.
        await Scenarios.AcknowledgeAsync(cli, "alice", code);
        await Scenarios.ExpectAsync(cli, "alice", "Bob", "Warning", code);
        await Scenarios.NothingSentAsync(cli, "alice", "Bob", bobsPhone);

        // Alice's retained state was not touched by the forgery: contact monitoring of the versions she looked up
        // still verifies against the log, and her own account checks out.
        JsonElement monitor = await cli.JsonAsync("alice", "monitor");
        Assert.DoesNotContain(monitor.GetProperty("findings").EnumerateArray(), f => f.GetProperty("code").GetString() != code);
    }

    [Theory]
    [InlineData("swap-account-key")]
    [InlineData("fake-reset")]
    public async Task An_account_key_the_pinned_key_never_cross_signed_is_a_warning_and_never_gets_the_saved_codes_checkmark(string scenario)
    {
        using CkvCli cli = await CkvCli.StartAsync();
        await cli.TwoPeopleAsync(ckvOn: true);
        await cli.OkAsync("alice", "contacts", "set-code", "Bob", (await cli.OkAsync("bob", "code", "copy")).Trim());
        await Scenarios.ExpectAsync(cli, "alice", "Bob", "Verified");
        uint? trusted = await Scenarios.PinnedVersionAsync(cli, "alice", "Bob");

        // The server's own key, validly signing a record whose devices are the server's: the record checks, and
        // the log proves it, so Alice's pin follows it — marked failed — but the pinned key never cross-signed it.
        await Scenarios.PlayAsync(cli, scenario, CkvCli.Bob);
        await Scenarios.ExpectAsync(cli, "alice", "Bob", "Warning", "uncross-signed-key-change");
        Assert.Equal(trusted + 1, await Scenarios.PinnedVersionAsync(cli, "alice", "Bob"));
        await Scenarios.NothingSentAsync(cli, "alice", "Bob", null);
        await Scenarios.ExpectAsync(cli, "alice", "Bob", "Warning", "uncross-signed-key-change");

        // Only the person resolves it (DESIGN §5: an honest reset looks the same); even then the code Alice saved is
        // Bob's real key, so the attacker's key never shows the checkmark.
        await Scenarios.AcknowledgeAsync(cli, "alice", "uncross-signed-key-change");
        await Scenarios.ExpectAsync(cli, "alice", "Bob", "VerifyContact");
    }

    [Fact]
    public async Task Bobs_devices_moved_into_another_accounts_record_are_refused_by_their_possession_proofs()
    {
        using CkvCli cli = await CkvCli.StartAsync();
        await cli.TwoPeopleAsync(ckvOn: true);
        await cli.RegisterAsync("mallory", "mailto:mallory@example.com");

        // The server re-keys Mallory's record with a key of its own and lists Bob's devices in it: Alice, meeting
        // Mallory for the first time, finds devices whose possession proofs name another account.
        JsonElement played = await Scenarios.PlayAsync(cli, "move-devices", CkvCli.Bob, to: "mailto:mallory@example.com");
        Assert.Equal("mailto:mallory@example.com", played.GetProperty("label").GetString());
        await cli.OkAsync("alice", "contacts", "add", "Mallory", "mailto:mallory@example.com");
        await Scenarios.ExpectAsync(cli, "alice", "Mallory", "Warning", "bad-device");
        Assert.Null(await Scenarios.PinnedVersionAsync(cli, "alice", "Mallory"));
        await Scenarios.NothingSentAsync(cli, "alice", "Mallory", "bob");

        // Bob himself is untouched.
        await Scenarios.ExpectAsync(cli, "alice", "Bob", "VerifyContact");
        await cli.OkAsync("alice", "send", "Bob", "still you");
        Assert.Contains("still you", await cli.OkAsync("bob", "inbox"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_record_signed_by_the_key_a_stolen_device_held_is_an_uncrosssigned_change_after_the_rotation()
    {
        using CkvCli cli = await CkvCli.StartAsync();
        await cli.TwoPeopleWithBobsLaptopAsync();

        await cli.OkAsync("alice", "contacts", "set-code", "Bob", (await cli.OkAsync("bob", "code", "copy")).Trim());
        await Scenarios.ExpectAsync(cli, "alice", "Bob", "Verified");

        // The laptop is stolen with the account key on it; Bob's phone removes it as lost, which rotates the key.
        string stolenKey = SecretHex(cli, "bob-laptop", "account-key");
        JsonElement devices = await cli.JsonAsync("bob", "device", "list");
        string phone = devices.GetProperty("self").GetString()!;
        string laptop = devices.GetProperty("devices").EnumerateArray().Select(d => d.GetProperty("deviceId").GetString()!).Single(id => id != phone);
        await cli.OkAsync("bob", "device", "signout", laptop, "--lost");
        await Scenarios.ExpectAsync(cli, "alice", "Bob", "VerifyContact");
        await Scenarios.AcknowledgeAsync(cli, "alice", "code-changed");
        uint? trusted = await Scenarios.PinnedVersionAsync(cli, "alice", "Bob");

        // The thief and the server publish a record under the old key, with the chain as it was before the rotation:
        // the key Alice pinned never cross-signed it.
        await Scenarios.PlayAsync(cli, "retired-key", CkvCli.Bob, key: stolenKey);
        await Scenarios.ExpectAsync(cli, "alice", "Bob", "Warning", "uncross-signed-key-change");
        Assert.Equal(trusted + 1, await Scenarios.PinnedVersionAsync(cli, "alice", "Bob"));
        await Scenarios.NothingSentAsync(cli, "alice", "Bob", null);
    }

    /// <summary>A secret from a device profile's secret file, in hex: what a thief holding the device could read.</summary>
    private static string SecretHex(CkvCli cli, string profile, string name)
    {
        using JsonDocument secrets = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(cli.Home, "profiles", profile, "secrets.json")));
        return Convert.ToHexStringLower(Convert.FromBase64String(secrets.RootElement.GetProperty(name).GetString()!));
    }
}
