using System.Text.Json;

namespace OpenCkv.Server.Tests;

/// <summary>Signing devices out, in hand and lost, and what a contact sees.</summary>
public sealed class CliSignOutTests
{
    [Fact]
    public async Task A_lost_device_rotates_the_key_and_a_contact_who_saved_the_code_is_notified_without_a_warning()
    {
        using CkvCli cli = await CkvCli.StartAsync();
        await cli.TwoPeopleWithBobsLaptopAsync();

        string oldCode = (await cli.OkAsync("bob", "code", "copy")).Trim();
        await cli.OkAsync("alice", "contacts", "set-code", "Bob", oldCode);
        Assert.Equal("Verified", (await cli.StatusAsync("alice", "Bob")).Status);

        // The laptop is stolen: the phone removes it as lost.
        JsonElement devices = await cli.JsonAsync("bob", "device", "list");
        string phone = devices.GetProperty("self").GetString()!;
        string laptop = devices.GetProperty("devices").EnumerateArray().Select(d => d.GetProperty("deviceId").GetString()!).Single(id => id != phone);
        Assert.Contains("rotated", await cli.OkAsync("bob", "device", "signout", laptop, "--lost"), StringComparison.Ordinal);
        string newCode = (await cli.OkAsync("bob", "code", "copy")).Trim();
        Assert.NotEqual(oldCode, newCode);

        // Alice: a notification, no warning, and no checkmark until she verifies the new code.
        Assert.Equal("VerifyContact", (await cli.StatusAsync("alice", "Bob")).Status);
        JsonElement alerts = (await cli.JsonAsync("alice", "alerts")).GetProperty("alerts");
        JsonElement changed = Assert.Single(alerts.EnumerateArray());
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
        using CkvCli cli = await CkvCli.StartAsync();
        await cli.RegisterAsync("alice", CkvCli.Alice);
        var (joiner, approver) = await cli.JoinAsync("tablet", "alice", CkvCli.Alice, totp: null, confirm: true);
        Assert.True(joiner.Exit == 0 && approver.Exit == 0, joiner.Error + approver.Error);

        await cli.OkAsync("tablet", "device", "signout");
        Assert.False(System.IO.Directory.Exists(Path.Combine(cli.Home, "profiles", "tablet")));
        Assert.Equal(1, (await cli.JsonAsync("alice", "device", "list")).GetProperty("devices").GetArrayLength());
        Assert.Equal(1, (await cli.RunAsync("alice", "device", "signout", "--lost")).Exit);
    }

    [Fact]
    public async Task A_lost_device_among_several_is_removed_once_every_remaining_device_proved_the_new_key_and_all_of_them_hold_it()
    {
        using CkvCli cli = await CkvCli.StartAsync();
        await cli.TwoPeopleAsync(ckvOn: false);
        foreach (string device in (string[])["bob-laptop", "bob-tablet"])
        {
            var (joiner, approver) = await cli.JoinAsync(device, "bob", CkvCli.Bob, totp: null, confirm: true);
            Assert.True(joiner.Exit == 0 && approver.Exit == 0, joiner.Error + approver.Error);
        }

        await cli.OkAsync("alice", "contacts", "set-code", "Bob", (await cli.OkAsync("bob", "code", "copy")).Trim());
        string laptop = (await cli.JsonAsync("bob-laptop", "device", "list")).GetProperty("self").GetString()!;

        // The phone removes the stolen laptop; the tablet proves the new key when it syncs.
        Task<(int Exit, string Output, string Error)> rotation = cli.RunAsync("bob", "device", "signout", laptop, "--lost", "--timeout", "60");
        for (int i = 0; i < 40 && !rotation.IsCompleted; i++)
        {
            await cli.OkAsync("bob-tablet", "sync");
            await Task.Delay(250);
        }

        (int exit, string output, string error) = await rotation;
        Assert.True(exit == 0, error);
        Assert.Contains("rotated", output, StringComparison.Ordinal);

        // After its next sync the tablet holds the new key: the same public code as the phone, and it still works.
        await cli.OkAsync("bob-tablet", "sync");
        string code = (await cli.OkAsync("bob", "code", "copy")).Trim();
        Assert.Equal(code, (await cli.OkAsync("bob-tablet", "code", "copy")).Trim());
        Assert.Empty((await cli.JsonAsync("bob-tablet", "alerts")).GetProperty("alerts").EnumerateArray());
        Assert.Empty((await cli.JsonAsync("bob", "alerts")).GetProperty("alerts").EnumerateArray());
        Assert.Equal(2, (await cli.JsonAsync("bob-tablet", "device", "list")).GetProperty("devices").GetArrayLength());

        // Alice: code changed (a notification), the new code verifies, and her message reaches both remaining devices.
        await cli.OkAsync("alice", "sync");
        JsonElement changed = Assert.Single((await cli.JsonAsync("alice", "alerts")).GetProperty("alerts").EnumerateArray());
        Assert.Equal(("code-changed", "notification"), (changed.GetProperty("code").GetString(), changed.GetProperty("severity").GetString()));
        await cli.OkAsync("alice", "contacts", "set-code", "Bob", code);
        Assert.Equal(2, (await cli.JsonAsync("alice", "send", "Bob", "still you?")).GetProperty("contactDevices").GetInt32());
        Assert.Contains("still you?", await cli.OkAsync("bob-tablet", "inbox"), StringComparison.Ordinal);
        Assert.Equal(1, (await cli.RunAsync("bob-laptop", "device", "list")).Exit);
    }

    [Fact]
    public async Task A_message_from_a_device_signed_out_while_it_travelled_is_refused_without_a_warning()
    {
        using CkvCli cli = await CkvCli.StartAsync();
        await cli.TwoPeopleAsync(ckvOn: false);
        var (joiner, approver) = await cli.JoinAsync("alice-tablet", "alice", CkvCli.Alice, totp: null, confirm: true);
        Assert.True(joiner.Exit == 0 && approver.Exit == 0, joiner.Error + approver.Error);
        await cli.OkAsync("alice-tablet", "sync");
        await cli.OkAsync("bob", "chat", "details", "Alice"); // Bob's device has seen the tablet in Alice's record

        await cli.OkAsync("alice-tablet", "send", "Bob", "sent from the tablet");
        string tablet = (await cli.JsonAsync("alice-tablet", "device", "list")).GetProperty("self").GetString()!;
        await cli.OkAsync("alice", "device", "signout", tablet);

        JsonElement inbox = await cli.JsonAsync("bob", "inbox");
        Assert.Empty(inbox.GetProperty("messages").EnumerateArray());
        Assert.Equal(1, inbox.GetProperty("refused").GetInt32());
        Assert.Empty((await cli.JsonAsync("bob", "alerts")).GetProperty("alerts").EnumerateArray());
    }
}
