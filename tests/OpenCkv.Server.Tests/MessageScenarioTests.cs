using System.Text.Json;

namespace OpenCkv.Server.Tests;

/// <summary>
/// The malicious-server scenarios on the message relay (docs/threat-model.md; ckv-protocol §6.1): a replayed
/// message, a message reflected to its sender, and a message forwarded into another conversation. Each is refused
/// by the check the threat model names, and the honest message it was made from arrives exactly once.
/// </summary>
public sealed class MessageScenarioTests
{
    [Fact]
    public async Task A_message_queued_twice_is_shown_once()
    {
        using CkvCli cli = await CkvCli.StartAsync();
        await cli.TwoPeopleAsync(ckvOn: true);

        await Scenarios.PlayAsync(cli, "replay-message", CkvCli.Bob);
        await cli.OkAsync("alice", "send", "Bob", "only once");
        JsonElement inbox = await cli.JsonAsync("bob", "inbox");
        Assert.Equal("only once", Assert.Single(inbox.GetProperty("messages").EnumerateArray()).GetProperty("text").GetString());
        Assert.Equal((1, 0), (inbox.GetProperty("duplicates").GetInt32(), inbox.GetProperty("refused").GetInt32()));
        Assert.Empty((await cli.JsonAsync("bob", "alerts")).GetProperty("alerts").EnumerateArray());
    }

    [Fact]
    public async Task A_message_reflected_back_to_its_sender_is_refused()
    {
        using CkvCli cli = await CkvCli.StartAsync();
        await cli.TwoPeopleAsync(ckvOn: true);

        await Scenarios.PlayAsync(cli, "reflect-message", CkvCli.Alice);
        await cli.OkAsync("alice", "send", "Bob", "to Bob, not back to me");
        Assert.Contains("to Bob, not back to me", await cli.OkAsync("bob", "inbox"), StringComparison.Ordinal);

        JsonElement inbox = await cli.JsonAsync("alice", "inbox");
        Assert.Empty(inbox.GetProperty("messages").EnumerateArray());
        Assert.Equal(1, inbox.GetProperty("refused").GetInt32());
        await Scenarios.ExpectAsync(cli, "alice", "Bob", "Warning", "unverified-sender");
    }

    [Fact]
    public async Task A_message_forwarded_into_another_conversation_is_refused()
    {
        using CkvCli cli = await CkvCli.StartAsync();
        await cli.TwoPeopleAsync(ckvOn: true);
        await cli.RegisterAsync("carol", "mailto:carol@example.com");
        await cli.OkAsync("carol", "contacts", "add", "Alice", CkvCli.Alice);

        await Scenarios.PlayAsync(cli, "forward-message", CkvCli.Alice, to: "mailto:carol@example.com");
        await cli.OkAsync("alice", "send", "Bob", "for Bob's eyes");
        Assert.Contains("for Bob's eyes", await cli.OkAsync("bob", "inbox"), StringComparison.Ordinal);

        JsonElement inbox = await cli.JsonAsync("carol", "inbox");
        Assert.Empty(inbox.GetProperty("messages").EnumerateArray());
        Assert.Equal(1, inbox.GetProperty("refused").GetInt32());
        JsonElement alert = await Scenarios.AlertAsync(cli, "carol", "unverified-sender");
        Assert.Equal("Alice", alert.GetProperty("contact").GetString());
    }
}
