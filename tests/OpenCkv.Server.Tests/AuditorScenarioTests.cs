namespace OpenCkv.Server.Tests;

/// <summary>
/// A third-party-audited log whose server lies about its auditor (KT §11.3): an auditor head that is not the
/// auditor's signature over the root the proof gives, and an auditor head kept past max_auditor_lag. The log is
/// created with a lag of three seconds and runs a one-second heartbeat, beside a real `ckv auditor` process.
/// </summary>
public sealed class AuditorScenarioTests : IDisposable
{
    private readonly TempFolder _auditorData = new();

    [Fact]
    public async Task An_auditor_head_whose_signature_does_not_verify_is_refused()
    {
        (CkvCli cli, ServerProcess auditor) = await StartAsync();
        using (cli)
        using (auditor)
        {
            await cli.TwoPeopleAsync(ckvOn: true);
            await Scenarios.ExpectAsync(cli, "alice", "Bob", "VerifyContact");

            // Only a new head carries the auditor's: the one-second heartbeat makes one before Alice's next check.
            await Scenarios.PlayAsync(cli, "bad-auditor-signature");
            await Task.Delay(TimeSpan.FromSeconds(2));
            await Scenarios.ProofFailedAsync(cli, "alice", "Bob", "SignatureInvalid: the auditor's head");
            await Scenarios.NothingSentAsync(cli, "alice", "Bob", "bob");

            await Scenarios.RecoversAsync(cli, "proof-failed");
        }
    }

    [Fact]
    public async Task An_auditor_head_the_server_keeps_past_the_auditor_lag_is_refused()
    {
        (CkvCli cli, ServerProcess auditor) = await StartAsync();
        using (cli)
        using (auditor)
        {
            await cli.TwoPeopleAsync(ckvOn: true);
            await Scenarios.ExpectAsync(cli, "alice", "Bob", "VerifyContact");

            // The server throws away the auditor's new heads while heartbeats move the log on.
            await Scenarios.PlayAsync(cli, "stale-auditor-head");
            await Task.Delay(TimeSpan.FromSeconds(5));
            await Scenarios.ProofFailedAsync(cli, "alice", "Bob", "AuditorHeadNotFresh");
            await Scenarios.NothingSentAsync(cli, "alice", "Bob", "bob");

            // Not a clock problem: no clock notification.
            Assert.DoesNotContain((await cli.JsonAsync("alice", "alerts")).GetProperty("alerts").EnumerateArray(), a => a.GetProperty("code").GetString() == "clock-skew");

            // Honest again, the auditor's next head is taken within its polling interval.
            await Scenarios.PlayAsync(cli, "honest");
            await Task.Delay(TimeSpan.FromSeconds(2));
            await Scenarios.RecoversAsync(cli, "proof-failed");
        }
    }

    [Fact]
    public async Task A_branch_of_the_log_shown_to_one_account_never_gets_an_auditor_head()
    {
        (CkvCli cli, ServerProcess auditor) = await StartAsync();
        using (cli)
        using (auditor)
        {
            await cli.TwoPeopleAsync(ckvOn: true);
            await Scenarios.ExpectAsync(cli, "alice", "Bob", "VerifyContact");

            // Alice's devices are shown a branch the auditor never sees, so never signs: her auditor head only ages.
            await Scenarios.PlayAsync(cli, "split-view", CkvCli.Alice);
            await Task.Delay(TimeSpan.FromSeconds(5));
            await Scenarios.ProofFailedAsync(cli, "alice", "Bob", "AuditorHeadNotFresh");
            await Scenarios.NothingSentAsync(cli, "alice", "Bob", "bob");

            // Bob, on the branch the auditor signs, is not affected.
            await Scenarios.ExpectAsync(cli, "bob", "Alice", "VerifyContact");
        }
    }

    public void Dispose() => _auditorData.Dispose();

    /// <summary>`ckv auditor init`, a log created with its key and a 3 s lag, the server, then `ckv auditor` following it.</summary>
    private async Task<(CkvCli Cli, ServerProcess Auditor)> StartAsync()
    {
        (int exit, _, string error) = await ServerProcess.RunCommandAsync("auditor", "init", "--data", _auditorData.Path);
        Assert.True(exit == 0, error);
        CkvCli cli = await CkvCli.StartAsync(["--max-auditor-lag-s", "3"], ["--heartbeat-s", "1"], _auditorData);
        try
        {
            return (cli, await ServerProcess.StartAuditorAsync(cli.Server, _auditorData.Path, "--poll-ms", "100"));
        }
        catch
        {
            cli.Dispose();
            throw;
        }
    }
}
