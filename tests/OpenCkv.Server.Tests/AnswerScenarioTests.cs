using System.Text.Json;

namespace OpenCkv.Server.Tests;

/// <summary>
/// The malicious-server scenarios in which the server corrupts its KEYTRANS answers while the scenario plays
/// (docs/threat-model.md): each is caught by the check the threat model names — the failure's name is the start
/// of the alert's evidence — with a sticky warning and nothing sent, and the device works with the server again
/// once it is honest and the person acknowledged the warning: its retained state was never replaced by a lie.
/// </summary>
public sealed class AnswerScenarioTests
{
    // A wrong opening gives a wrong commitment, and the leaf recomputed from it contradicts the proof where the
    // tree's shape makes it show first: the log root, another search through the same node, or a retained root.
    [Theory]
    [InlineData("flip-proof", "")]
    [InlineData("wrong-vrf-proof", "VrfProofInvalid")]
    [InlineData("wrong-opening", "RootMismatch|InconsistentInput|RetainedValueMismatch")]
    public async Task A_corrupted_search_answer_is_caught_by_its_check_and_the_device_recovers_when_the_server_is_honest(string scenario, string failure)
    {
        using CkvCli cli = await CkvCli.StartAsync();
        await cli.TwoPeopleAsync(ckvOn: true);
        await Scenarios.ExpectAsync(cli, "alice", "Bob", "VerifyContact");

        await Scenarios.PlayAsync(cli, scenario, CkvCli.Bob);
        await Scenarios.ProofFailedAsync(cli, "alice", "Bob", failure.Split('|'));
        await Scenarios.NothingSentAsync(cli, "alice", "Bob", "bob");

        await Scenarios.RecoversAsync(cli, "proof-failed");
    }

    [Fact]
    public async Task A_handle_answered_with_no_record_is_unavailable_and_gets_nothing()
    {
        using CkvCli cli = await CkvCli.StartAsync();
        await cli.TwoPeopleAsync(ckvOn: true);
        await Scenarios.ExpectAsync(cli, "alice", "Bob", "VerifyContact");

        await Scenarios.PlayAsync(cli, "hide-record", CkvCli.Bob);
        await Scenarios.ExpectAsync(cli, "alice", "Bob", "Warning", "unavailable");
        await Scenarios.NothingSentAsync(cli, "alice", "Bob", "bob");

        await Scenarios.RecoversAsync(cli, "unavailable");
    }

    [Fact]
    public async Task A_smaller_tree_than_the_device_retained_is_a_rollback()
    {
        using CkvCli cli = await CkvCli.StartAsync();
        await cli.TwoPeopleAsync(ckvOn: true);

        // The server freezes its answers about Bob at the next one; the log then grows and Alice sees the bigger tree.
        await Scenarios.PlayAsync(cli, "rollback", CkvCli.Bob);
        await Scenarios.ExpectAsync(cli, "alice", "Bob", "VerifyContact");
        await cli.RegisterAsync("carol", "mailto:carol@example.com");
        await cli.OkAsync("alice", "contacts", "add", "Carol", "mailto:carol@example.com");
        await Scenarios.ExpectAsync(cli, "alice", "Carol", "VerificationOff");

        await Scenarios.ProofFailedAsync(cli, "alice", "Bob", "TreeSizeRollback");
        await Scenarios.NothingSentAsync(cli, "alice", "Bob", "bob");

        await Scenarios.RecoversAsync(cli, "proof-failed");
    }

    [Fact]
    public async Task An_answer_made_for_another_devices_retained_state_does_not_verify()
    {
        using CkvCli cli = await CkvCli.StartAsync();
        await cli.TwoPeopleAsync(ckvOn: true);

        // Alice retains the tree at one size; the log grows; Bob's own searches are answered from a bigger one.
        await Scenarios.ExpectAsync(cli, "alice", "Bob", "VerifyContact");
        await cli.RegisterAsync("carol", "mailto:carol@example.com");
        await cli.OkAsync("bob", "sync");
        await cli.OkAsync("bob", "sync");

        // Alice is given the answer the server made for Bob's last search of his own handle.
        await Scenarios.PlayAsync(cli, "replay-response", CkvCli.Bob);
        await Scenarios.ExpectAsync(cli, "alice", "Bob", "Warning", "proof-failed");
        await Scenarios.NothingSentAsync(cli, "alice", "Bob", "bob");

        await Scenarios.RecoversAsync(cli, "proof-failed");
    }

    [Fact]
    public async Task A_changed_log_configuration_is_a_warning_until_the_pinned_one_is_back()
    {
        using CkvCli cli = await CkvCli.StartAsync();
        await cli.TwoPeopleAsync(ckvOn: true);

        await Scenarios.PlayAsync(cli, "change-config");
        JsonElement sync = await cli.JsonAsync("alice", "sync");
        JsonElement finding = Assert.Single(sync.GetProperty("findings").EnumerateArray());
        Assert.Equal(("configuration-changed", "warning"), (finding.GetProperty("code").GetString(), finding.GetProperty("severity").GetString()));

        await Scenarios.PlayAsync(cli, "honest");
        await Scenarios.AcknowledgeAsync(cli, "alice", "configuration-changed");
        Assert.Empty((await cli.JsonAsync("alice", "sync")).GetProperty("findings").EnumerateArray());
    }
}
