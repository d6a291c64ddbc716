namespace OpenCkv.Server.Tests;

/// <summary>
/// Heads outside the log's time limits (KT §13: max_behind, max_ahead), on a log created with limits of seconds
/// and a heartbeat of one second, so that an honest log stays fresh and a lying one goes stale within a test. The
/// device cannot tell its own clock from the log's, so it shows the warning and the clock notification.
/// </summary>
public sealed class FreshnessScenarioTests
{
    private static readonly string[] ShortLimits = ["--max-ahead-s", "3", "--max-behind-s", "4"];
    private static readonly string[] FastHeartbeat = ["--heartbeat-s", "1"];

    [Fact]
    public async Task A_head_the_server_keeps_serving_past_max_behind_is_stale()
    {
        using CkvCli cli = await CkvCli.StartAsync(ShortLimits, FastHeartbeat);
        await cli.TwoPeopleAsync(ckvOn: true);

        // The log stops its heartbeat: nobody changes anything, and its newest entry ages past max_behind.
        await Scenarios.ExpectAsync(cli, "alice", "Bob", "VerifyContact");
        await Scenarios.PlayAsync(cli, "stale-head");
        await Task.Delay(TimeSpan.FromSeconds(5));

        await CaughtAsync(cli, "behind");
        await Scenarios.RecoversAsync(cli, "proof-failed");
    }

    [Fact]
    public async Task A_head_from_beyond_max_ahead_is_refused_until_it_is_no_longer_in_the_future()
    {
        using CkvCli cli = await CkvCli.StartAsync(ShortLimits, FastHeartbeat);
        await cli.TwoPeopleAsync(ckvOn: true);
        await Scenarios.ExpectAsync(cli, "alice", "Bob", "VerifyContact");

        // The log stamps its entries 8 s ahead (max_ahead + 5 s), while requests keep the server's real time.
        await Scenarios.PlayAsync(cli, "future-head");
        await Task.Delay(TimeSpan.FromSeconds(2));
        await CaughtAsync(cli, "ahead");

        // Honest again, timestamps still never go back: the heads are fresh once real time has caught up.
        await Scenarios.PlayAsync(cli, "honest");
        await Task.Delay(TimeSpan.FromSeconds(8));
        await Scenarios.RecoversAsync(cli, "proof-failed");
    }

    private static async Task CaughtAsync(CkvCli cli, string direction)
    {
        string detail = await Scenarios.ProofFailedAsync(cli, "alice", "Bob", "TreeHeadNotFresh");
        Assert.Contains(direction, detail, StringComparison.Ordinal);
        Assert.Equal("notification", (await Scenarios.AlertAsync(cli, "alice", "clock-skew")).GetProperty("severity").GetString());
        await Scenarios.NothingSentAsync(cli, "alice", "Bob", "bob");
    }
}
