using System.Text.Json;
using System.Text.RegularExpressions;

namespace OpenCkv.Server.Tests;

/// <summary>Joining a second device through `ckv device join` and `ckv device approve`, against a server process.</summary>
public sealed partial class CliJoinTests
{
    private const string Alice = "mailto:alice@example.com";
    private const string Bob = "mailto:bob@example.com";

    [Fact]
    public async Task A_device_joins_once_the_codes_are_confirmed_and_then_shares_contacts_settings_and_messages()
    {
        using var folder = new TempFolder();
        using ServerProcess server = await ServerProcess.StartAsync(folder.Path);
        using var cli = new CkvCli(server.Address);
        await cli.RegisterAsync("alice", Alice);
        await cli.RegisterAsync("bob", Bob);
        await cli.OkAsync("alice", "contacts", "add", "Bob", Bob);
        await cli.OkAsync("bob", "contacts", "add", "Alice", Alice);
        string secret = await cli.EnableTwoFactorAsync("alice");

        var (joiner, approver) = await cli.JoinAsync("tablet", "alice", Alice, CkvCli.NextTotp(secret), confirm: true);
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
        using var folder = new TempFolder();
        using ServerProcess server = await ServerProcess.StartAsync(folder.Path);
        using var cli = new CkvCli(server.Address);
        await cli.RegisterAsync("alice", Alice);

        var (joiner, approver) = await cli.JoinAsync("tablet", "alice", Alice, totp: null, confirm: false);
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
        using var folder = new TempFolder();
        using ServerProcess server = await ServerProcess.StartAsync(folder.Path);
        using var cli = new CkvCli(server.Address);
        await cli.RegisterAsync("alice", Alice);
        await cli.EnableTwoFactorAsync("alice");

        (int exit, _, string error) = await cli.RunAsync("tablet", "device", "join", "--server", server.Address.ToString(), "--handle", Alice, "--name", "tablet", "--platform", "tablet", "--os-version", "17.2", "--timeout", "5");
        Assert.Equal(1, exit);
        Assert.Contains("authenticator code", error, StringComparison.Ordinal);
    }

    [GeneratedRegex("join code: ([0-9]+)")]
    private static partial Regex JoinCode();
}

/// <summary>Signing devices out, in hand and lost, and what a contact sees.</summary>
public sealed class CliSignOutTests
{
    private const string Alice = "mailto:alice@example.com";
    private const string Bob = "mailto:bob@example.com";

    [Fact]
    public async Task A_lost_device_rotates_the_key_and_a_contact_who_saved_the_code_is_notified_without_a_warning()
    {
        using var folder = new TempFolder();
        using ServerProcess server = await ServerProcess.StartAsync(folder.Path);
        using var cli = new CkvCli(server.Address);
        await cli.RegisterAsync("alice", Alice);
        await cli.RegisterAsync("bob", Bob);
        var (joiner, approver) = await cli.JoinAsync("bob-laptop", "bob", Bob, totp: null, confirm: true);
        Assert.True(joiner.Exit == 0 && approver.Exit == 0, joiner.Error + approver.Error);
        await cli.OkAsync("alice", "contacts", "add", "Bob", Bob);
        foreach (string person in (string[])["alice", "bob"])
        {
            await cli.EnableTwoFactorAsync(person);
            await cli.OkAsync(person, "verification", "on");
        }

        string oldCode = (await cli.OkAsync("bob", "code", "copy")).Trim();
        await cli.OkAsync("alice", "contacts", "set-code", "Bob", oldCode);
        Assert.Equal("Verified", (await cli.StatusAsync("alice", "Bob")).Status);

        // The laptop is stolen: the phone removes it as lost.
        System.Text.Json.JsonElement devices = await cli.JsonAsync("bob", "device", "list");
        string phone = devices.GetProperty("self").GetString()!;
        string laptop = devices.GetProperty("devices").EnumerateArray().Select(d => d.GetProperty("deviceId").GetString()!).Single(id => id != phone);
        Assert.Contains("rotated", await cli.OkAsync("bob", "device", "signout", laptop, "--lost"), StringComparison.Ordinal);
        string newCode = (await cli.OkAsync("bob", "code", "copy")).Trim();
        Assert.NotEqual(oldCode, newCode);

        // Alice: a notification, no warning, and no checkmark until she verifies the new code.
        Assert.Equal("VerifyContact", (await cli.StatusAsync("alice", "Bob")).Status);
        System.Text.Json.JsonElement alerts = (await cli.JsonAsync("alice", "alerts")).GetProperty("alerts");
        System.Text.Json.JsonElement changed = Assert.Single(alerts.EnumerateArray());
        Assert.Equal(("code-changed", "notification"), (changed.GetProperty("code").GetString(), changed.GetProperty("severity").GetString()));
        await cli.OkAsync("alice", "contacts", "set-code", "Bob", newCode);
        Assert.Equal("Verified", (await cli.StatusAsync("alice", "Bob")).Status);
        await cli.OkAsync("alice", "send", "Bob", "new key, same Bob");
        Assert.Contains("new key, same Bob", await cli.OkAsync("bob", "inbox"), StringComparison.Ordinal);

        // The stolen laptop is out.
        (int exit, _, string error) = await cli.RunAsync("bob-laptop", "device", "list");
        Assert.Equal(1, exit);
        Assert.Contains("unknown-device", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Signing_out_the_device_in_hand_erases_its_profile_and_the_record_drops_it()
    {
        using var folder = new TempFolder();
        using ServerProcess server = await ServerProcess.StartAsync(folder.Path);
        using var cli = new CkvCli(server.Address);
        await cli.RegisterAsync("alice", Alice);
        var (joiner, approver) = await cli.JoinAsync("tablet", "alice", Alice, totp: null, confirm: true);
        Assert.True(joiner.Exit == 0 && approver.Exit == 0, joiner.Error + approver.Error);

        await cli.OkAsync("tablet", "device", "signout");
        Assert.False(System.IO.Directory.Exists(Path.Combine(cli.Home, "profiles", "tablet")));
        Assert.Equal(1, (await cli.JsonAsync("alice", "device", "list")).GetProperty("devices").GetArrayLength());
        Assert.Equal(1, (await cli.RunAsync("alice", "device", "signout", "--lost")).Exit);
    }
}

/// <summary>`ckv account reset` when every device of an account is lost, and what a contact sees.</summary>
public sealed class CliResetTests
{
    private const string Alice = "mailto:alice@example.com";
    private const string Bob = "mailto:bob@example.com";

    [Fact]
    public async Task A_reset_is_a_sticky_warning_for_a_contact_who_saw_ckv_on_until_the_new_code_is_verified()
    {
        using var folder = new TempFolder();
        using ServerProcess server = await ServerProcess.StartAsync(folder.Path);
        using var cli = new CkvCli(server.Address);
        await cli.RegisterAsync("alice", Alice);
        await cli.RegisterAsync("bob", Bob);
        await cli.OkAsync("bob", "contacts", "add", "Alice", Alice);
        string secret = "";
        foreach (string person in (string[])["alice", "bob"])
        {
            string s = await cli.EnableTwoFactorAsync(person);
            secret = person == "alice" ? s : secret;
            await cli.OkAsync(person, "verification", "on");
        }

        await cli.OkAsync("bob", "contacts", "set-code", "Alice", (await cli.OkAsync("alice", "code", "copy")).Trim());
        Assert.Equal("Verified", (await cli.StatusAsync("bob", "Alice")).Status);

        // Every device of Alice is lost: a new phone resets the account with the handle code and her second factor.
        (int exit, _, string error) = await cli.RunAsync("alice-new", "account", "reset", "--server", server.Address.ToString(), "--handle", Alice,
            "--name", "new phone", "--platform", "phone", "--os-version", "17.2", "--totp", CkvCli.NextTotp(secret));
        Assert.True(exit == 0, error);
        Assert.Equal("on", (await cli.JsonAsync("alice-new", "verification", "status")).GetProperty("ckv").GetString());
        Assert.Equal(1, (await cli.RunAsync("alice", "device", "list")).Exit);

        // Bob: the uncross-signed key change is a warning that stays, and nothing is sent meanwhile.
        (string status, string[] reasons) = await cli.StatusAsync("bob", "Alice");
        Assert.Equal(("Warning", "uncross-signed-key-change"), (status, Assert.Single(reasons)));
        (status, reasons) = await cli.StatusAsync("bob", "Alice"); // the same honest record again: still warned
        Assert.Equal(("Warning", "uncross-signed-key-change"), (status, Assert.Single(reasons)));
        Assert.Equal(1, (await cli.RunAsync("bob", "send", "Alice", "hello?")).Exit);

        // Bob verifies the new code with Alice: the checkmark is back and the warning resolved.
        await cli.OkAsync("bob", "contacts", "set-code", "Alice", (await cli.OkAsync("alice-new", "code", "copy")).Trim());
        Assert.Equal("Verified", (await cli.StatusAsync("bob", "Alice")).Status);
        await cli.OkAsync("bob", "send", "Alice", "welcome back");
        Assert.Contains("welcome back", await cli.OkAsync("alice-new", "inbox"), StringComparison.Ordinal);
    }
}
