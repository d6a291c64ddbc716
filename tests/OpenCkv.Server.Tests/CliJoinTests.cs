using System.Text.Json;
using System.Text.RegularExpressions;

namespace OpenCkv.Server.Tests;

/// <summary>Joining a second device through `ckv device join` and `ckv device approve`, against a server process.</summary>
public sealed partial class CliJoinTests
{
    [Fact]
    public async Task A_device_joins_once_the_codes_are_confirmed_and_then_shares_contacts_settings_and_messages()
    {
        using CkvCli cli = await CkvCli.StartAsync();
        await cli.TwoPeopleAsync(ckvOn: false);
        string secret = await cli.EnableTwoFactorAsync("alice");

        var (joiner, approver) = await cli.JoinAsync("tablet", "alice", CkvCli.Alice, CkvCli.NextTotp(secret), confirm: true);
        Assert.True(joiner.Exit == 0, joiner.Error);
        Assert.True(approver.Exit == 0, approver.Error);
        string code = JoinCode().Match(joiner.Output).Groups[1].Value;
        Assert.Matches("^[0-9]{8}$", code);
        Assert.Equal(code, JoinCode().Match(approver.Output).Groups[1].Value);

        // The tablet holds the account's keychain: the same public code, the contact book.
        Assert.Equal(await cli.OkAsync("alice", "code", "copy"), await cli.OkAsync("tablet", "code", "copy"));
        Assert.Contains("Bob", await cli.OkAsync("tablet", "contacts", "list"), StringComparison.Ordinal);
        Assert.Equal(2, (await cli.JsonAsync("alice", "device", "list")).GetProperty("devices").GetArrayLength());

        // Turning CKV on from the phone turns it on for the tablet after its next sync.
        await cli.OkAsync("alice", "verification", "on");
        await cli.OkAsync("tablet", "sync");
        Assert.Equal("on", (await cli.JsonAsync("tablet", "verification", "status")).GetProperty("ckv").GetString());

        // Bob's message reaches both of Alice's devices; Alice's reply is copied to her tablet.
        JsonElement sent = await cli.JsonAsync("bob", "send", "Alice", "to both of you");
        Assert.Equal(2, sent.GetProperty("contactDevices").GetInt32());
        Assert.Contains("to both of you", await cli.OkAsync("alice", "inbox"), StringComparison.Ordinal);
        Assert.Contains("to both of you", await cli.OkAsync("tablet", "inbox"), StringComparison.Ordinal);
        Assert.Equal(1, (await cli.JsonAsync("alice", "send", "Bob", "from the phone")).GetProperty("ownDevices").GetInt32());
        JsonElement copy = Assert.Single((await cli.JsonAsync("tablet", "inbox")).GetProperty("messages").EnumerateArray());
        Assert.True(copy.GetProperty("outgoing").GetBoolean());
        Assert.Equal("from the phone", copy.GetProperty("text").GetString());

        // A contact saved on the tablet reaches the phone through the keychain.
        await cli.OkAsync("tablet", "contacts", "add", "Carol", "mailto:carol@example.com");
        await cli.OkAsync("tablet", "sync");
        await cli.OkAsync("alice", "sync");
        Assert.Contains("Carol", await cli.OkAsync("alice", "contacts", "list"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_join_the_person_does_not_confirm_is_refused_and_the_new_device_keeps_nothing()
    {
        using CkvCli cli = await CkvCli.StartAsync();
        await cli.RegisterAsync("alice", CkvCli.Alice);

        var (joiner, approver) = await cli.JoinAsync("tablet", "alice", CkvCli.Alice, totp: null, confirm: false);
        Assert.Equal(1, approver.Exit);
        Assert.Contains("refused", approver.Error, StringComparison.Ordinal);
        Assert.Equal(1, joiner.Exit);
        Assert.Contains("refused", joiner.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(cli.Home, "profiles", "tablet", "profile.db")));
        Assert.Equal(1, (await cli.JsonAsync("alice", "device", "list")).GetProperty("devices").GetArrayLength());
    }

    [Fact]
    public async Task Joining_an_account_with_a_second_factor_needs_it()
    {
        using CkvCli cli = await CkvCli.StartAsync();
        await cli.RegisterAsync("alice", CkvCli.Alice);
        await cli.EnableTwoFactorAsync("alice");

        (int exit, _, string error) = await cli.RunAsync("tablet", "device", "join", "--server", cli.Server.ToString(), "--handle", CkvCli.Alice, "--name", "tablet", "--platform", "tablet", "--os-version", "17.2", "--timeout", "5");
        Assert.Equal(1, exit);
        Assert.Contains("authenticator code", error, StringComparison.Ordinal);
    }

    [GeneratedRegex("join code: ([0-9]+)")]
    private static partial Regex JoinCode();
}
