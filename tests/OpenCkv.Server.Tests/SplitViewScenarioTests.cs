using System.Text.Json;
using OpenCkv.Client;
using OpenCkv.Client.Alerts;
using OpenCkv.KeyTransparency;
using OpenCkv.KeyTransparency.Search;

namespace OpenCkv.Server.Tests;

/// <summary>
/// The split view (docs/threat-model.md, <c>split-view</c>): the server shows Alice's devices a second branch of its
/// log, signed with its own key, and Bob the real one. The distinguished heads each gossips in messages prove the
/// fork to the other (DESIGN §5): a sticky warning with both signed responses kept as evidence, and afterwards
/// Alice's device refuses the real branch, which contradicts what it retained. The people set up with `ckv`; the
/// messages after the split go through the SDK with a gossip refresh of zero, so each carries a fresh walk.
/// </summary>
public sealed class SplitViewScenarioTests
{
    private static readonly CkvOptions FreshGossip = new() { GossipRefresh = TimeSpan.Zero };

    [Fact]
    public async Task Two_people_shown_different_logs_both_prove_the_fork_and_keep_the_evidence()
    {
        // A one-second monitoring window and heartbeat: distinguished entries appear every second or so.
        using CkvCli cli = await CkvCli.StartAsync(["--monitoring-window-s", "1"], ["--heartbeat-s", "1"]);
        await cli.TwoPeopleAsync(ckvOn: true);
        await cli.OkAsync("alice", "send", "Bob", "before the split");
        Assert.Contains("before the split", await cli.OkAsync("bob", "inbox"), StringComparison.Ordinal);

        await Scenarios.PlayAsync(cli, "split-view", CkvCli.Alice);
        await Task.Delay(TimeSpan.FromSeconds(4)); // both branches grow past the split

        using (CkvDevice alice = Open(cli, "alice"))
        {
            await alice.SendAsync("Bob", "from the other branch");
        }

        using (CkvDevice bob = Open(cli, "bob"))
        {
            await bob.ReceiveAsync();
            Alert fork = ForkOf(bob, CkvCli.Bob);
            EvidenceHolds(bob, fork);
            await Assert.ThrowsAsync<CkvException>(() => bob.SendAsync("Alice", "while the warning waits"));

            // Bob has seen the warning and writes back, so that his walk reaches Alice.
            bob.Acknowledge(fork.Id);
            await bob.SendAsync("Alice", "from the real branch");
        }

        using (CkvDevice alice = Open(cli, "alice"))
        {
            await alice.ReceiveAsync();
            EvidenceHolds(alice, ForkOf(alice, CkvCli.Alice));
        }

        await Scenarios.ExpectAsync(cli, "alice", "Bob", "Warning", "fork");
        await Scenarios.NothingSentAsync(cli, "alice", "Bob", null);

        // The server stops the split: Alice's device is now shown the real branch, which contradicts the other
        // branch's roots it retained — refused, and the fork warning stays.
        await Scenarios.PlayAsync(cli, "honest");
        (string status, string[] reasons) = await cli.StatusAsync("alice", "Bob");
        Assert.Equal("Warning", status);
        Assert.Contains("fork", reasons);
        Assert.Contains("proof-failed", reasons);
    }

    private static CkvDevice Open(CkvCli cli, string profile) => CkvDevice.Open(Path.Combine(cli.Home, "profiles", profile), FreshGossip);

    /// <summary>The device's one fork warning, about the contact (not its own handle).</summary>
    private static Alert ForkOf(CkvDevice device, string own)
    {
        Alert fork = Assert.Single(device.Alerts(), a => a.Code == AlertCode.Fork);
        Assert.Equal(AlertSeverity.Warning, fork.Severity);
        Assert.NotEqual(own, fork.Label);
        return fork;
    }

    /// <summary>Both kept responses verify on their own against the pinned configuration and disagree at one size.</summary>
    private static void EvidenceHolds(CkvDevice device, Alert fork)
    {
        (byte[] own, byte[] peer) = device.ForkEvidence(fork.Id) ?? throw new Xunit.Sdk.XunitException("the fork warning kept no evidence");
        ulong now = (ulong)DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        VerifiedDistinguished Verify(byte[] response) => DistinguishedVerifier.Verify(
            Crypto.CryptoSuite.Fastest, device.Configuration, null, new DistinguishedRequest(null, null), KtMessages.DecodeHeadAndProof(response, device.Configuration.Mode), now);
        Assert.Equal(ForkVerdict.Fork, ForkCheck.Compare(Verify(own), Verify(peer)).Verdict);
    }

    [Fact]
    public async Task A_device_slipped_in_behind_its_owners_back_is_caught_by_the_contact_and_the_owner_learns_when_the_branch_ends()
    {
        using CkvCli cli = await CkvCli.StartAsync(["--monitoring-window-s", "1"], ["--heartbeat-s", "1"]);
        await cli.TwoPeopleAsync(ckvOn: true);
        await Scenarios.ExpectAsync(cli, "alice", "Bob", "VerifyContact");

        // Bob's account is shown a branch without the device the server slips into Bob's record on the real log.
        string intruder = (await Scenarios.PlayAsync(cli, "hide-update", CkvCli.Bob)).GetProperty("deviceId").GetString()!;
        await Scenarios.ExpectAsync(cli, "alice", "Bob", "Warning", "unknown-device");
        Assert.Contains(intruder, (await Scenarios.AlertAsync(cli, "alice", "unknown-device")).GetProperty("detail").GetString(), StringComparison.Ordinal);
        await Scenarios.NothingSentAsync(cli, "alice", "Bob", "bob");

        // On its branch, Bob's owner monitoring has nothing to see.
        Assert.Empty((await cli.JsonAsync("bob", "monitor")).GetProperty("findings").EnumerateArray());

        // The moment the server shows Bob the real log, it contradicts the branch Bob retained.
        await Scenarios.PlayAsync(cli, "honest");
        JsonElement findings = (await cli.JsonAsync("bob", "monitor")).GetProperty("findings");
        Assert.Contains(findings.EnumerateArray(), f => f.GetProperty("code").GetString() == "proof-failed");
    }

    [Fact]
    public async Task Heads_that_never_share_a_tree_size_with_the_own_view_are_a_warning_after_the_resyncs()
    {
        using CkvCli cli = await CkvCli.StartAsync(["--monitoring-window-s", "1"], ["--heartbeat-s", "1"]);
        await cli.TwoPeopleAsync(ckvOn: true);

        // Alice is shown the log as it was at the split — still fresh, since max_behind is a day — while within
        // seconds the real log's ten most recent distinguished entries all lie beyond it.
        await Scenarios.PlayAsync(cli, "unlinkable-heads", CkvCli.Alice);
        await Task.Delay(TimeSpan.FromSeconds(15));

        using (CkvDevice alice = Open(cli, "alice"))
        {
            await alice.SendAsync("Bob", "from a log that stands still");
        }

        using (CkvDevice bob = Open(cli, "bob"))
        {
            ReceiveReport received = await bob.ReceiveAsync();
            Assert.Equal("from a log that stands still", Assert.Single(received.Accepted).Text);
            Alert unlinkable = Assert.Single(bob.Alerts(), a => a.Code == AlertCode.HeadsUnlinkable);
            Assert.Equal((AlertSeverity.Warning, CkvCli.Alice), (unlinkable.Severity, unlinkable.Label));
            Assert.DoesNotContain(bob.Alerts(), a => a.Code == AlertCode.Fork);
        }

        await Scenarios.ExpectAsync(cli, "bob", "Alice", "Warning", "heads-unlinkable");
        await Scenarios.NothingSentAsync(cli, "bob", "Alice", null);
    }
}
