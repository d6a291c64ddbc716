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
    [InlineData("swap-account-key", "uncross-signed-key-change")]
    [InlineData("fake-reset", "uncross-signed-key-change")]
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
        string? bobsPhone = scenario is "swap-account-key" or "fake-reset" or "unsigned-rotation" ? null : "bob";
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
}
