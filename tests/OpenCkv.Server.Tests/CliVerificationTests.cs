using System.Net.Http.Json;
using System.Text.Json;

namespace OpenCkv.Server.Tests;

/// <summary>
/// The `ckv` command line end to end against a real server process on loopback: the seed's statuses from
/// "Turn on" to the checkmark, the requirement checks, public codes, messages, and a lying server caught.
/// </summary>
public sealed class CliVerificationTests
{
    [Fact]
    public async Task Two_people_go_from_turn_on_to_a_checkmark_and_message_each_other()
    {
        using CkvCli cli = await CkvCli.StartAsync();
        await cli.TwoPeopleAsync(ckvOn: false);
        await ExpectAsync(cli, "alice", "Bob", "TurnOnCkv");

        // The switch refuses while a requirement is missing, and names it.
        (int exit, _, string error) = await cli.RunAsync("alice", "verification", "on");
        Assert.Equal(1, exit);
        Assert.Contains("two-factor", error, StringComparison.Ordinal);

        await cli.EnableTwoFactorAsync("alice");
        await cli.OkAsync("alice", "verification", "on");
        Assert.Equal("VerificationOff", (await cli.StatusAsync("alice", "Bob")).Status);
        Assert.Equal("TurnOnCkv", (await cli.StatusAsync("bob", "Alice")).Status);

        await cli.EnableTwoFactorAsync("bob");
        await cli.OkAsync("bob", "verification", "on");
        Assert.Equal("VerifyContact", (await cli.StatusAsync("alice", "Bob")).Status);
        Assert.Equal("VerifyContact", (await cli.StatusAsync("bob", "Alice")).Status);

        // Public code: a typo is refused as a typo and saves nothing; the right code gives the checkmark.
        string code = (await cli.OkAsync("bob", "code", "copy")).Trim();
        string typo = code[..8] + (code[8] == 'q' ? 'p' : 'q') + code[9..];
        (exit, _, error) = await cli.RunAsync("alice", "contacts", "set-code", "Bob", typo);
        Assert.Equal(1, exit);
        Assert.Contains("typo", error, StringComparison.Ordinal);
        Assert.Equal("VerifyContact", (await cli.StatusAsync("alice", "Bob")).Status);
        await cli.OkAsync("alice", "contacts", "set-code", "Bob", code.ToUpperInvariant());
        await ExpectAsync(cli, "alice", "Bob", "Verified");
        Assert.Contains("Bob ✓", await cli.OkAsync("alice", "contacts", "list"), StringComparison.Ordinal);

        // Messages both ways; the checkmark shows on the lines.
        Assert.Contains("Bob ✓", await cli.OkAsync("alice", "send", "Bob", "hello Bob"), StringComparison.Ordinal);
        JsonElement inbox = await cli.JsonAsync("bob", "inbox");
        JsonElement message = Assert.Single(inbox.GetProperty("messages").EnumerateArray());
        Assert.Equal("hello Bob", message.GetProperty("text").GetString());
        Assert.Equal("Alice", message.GetProperty("contact").GetString());
        await cli.OkAsync("bob", "send", "Alice", "hello Alice");
        Assert.Contains("from Bob ✓: hello Alice", await cli.OkAsync("alice", "inbox"), StringComparison.Ordinal);
        Assert.Empty((await cli.JsonAsync("alice", "inbox")).GetProperty("messages").EnumerateArray());

        // An honest server: the gossiped distinguished heads agree, owner monitoring finds nothing, and nobody sees
        // any alert.
        foreach (string person in (string[])["alice", "bob"])
        {
            JsonElement sync = await cli.JsonAsync(person, "sync");
            Assert.Empty(sync.GetProperty("findings").EnumerateArray());
            Assert.Equal(2, sync.GetProperty("handlesChecked").GetInt32());
        }

        Assert.Empty((await cli.JsonAsync("alice", "alerts")).GetProperty("alerts").EnumerateArray());
        Assert.Empty((await cli.JsonAsync("bob", "alerts")).GetProperty("alerts").EnumerateArray());
    }

    [Fact]
    public async Task Turning_on_lists_every_blocking_device_and_the_way_out()
    {
        using CkvCli cli = await CkvCli.StartAsync();
        await cli.OkAsync("alice", "device", "register", "--server", cli.Server.ToString(), "--handle", CkvCli.Alice, "--name", "old phone", "--platform", "phone", "--os-version", "16.0", "--no-passcode", "--no-keychain");

        (int exit, string output, string error) = await cli.RunAsync("alice", "verification", "on", "--json");
        Assert.Equal(1, exit);
        using JsonDocument refused = JsonDocument.Parse(output);
        string[] reasons = refused.RootElement.GetProperty("blockers").EnumerateArray().Select(b => b.GetProperty("reason").GetString()!).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(["keychain-off", "no-passcode", "software-too-old", "two-factor-off"], reasons);
        Assert.Contains("old phone", error, StringComparison.Ordinal);

        // Fixing each one in turn lets the switch through.
        await cli.OkAsync("alice", "device", "update", "--os-version", "17.2", "--passcode", "on", "--keychain", "on");
        await cli.EnableTwoFactorAsync("alice");
        await cli.OkAsync("alice", "verification", "on");
        Assert.Equal("on", (await cli.JsonAsync("alice", "verification", "status")).GetProperty("ckv").GetString());
    }

    [Theory]
    [InlineData("--no-passcode", "no-passcode")]
    [InlineData("--no-keychain", "keychain-off")]
    [InlineData("--old-version", "software-too-old")]
    public async Task Each_requirement_alone_blocks_turning_on_and_names_the_device(string flaw, string reason)
    {
        using CkvCli cli = await CkvCli.StartAsync();
        string version = flaw == "--old-version" ? "16.9" : "17.2";
        string[] extra = flaw == "--old-version" ? [] : [flaw];
        await cli.OkAsync("alice", ["device", "register", "--server", cli.Server.ToString(), "--handle", CkvCli.Alice, "--name", "the phone", "--platform", "phone", "--os-version", version, .. extra]);
        await cli.EnableTwoFactorAsync("alice");

        (int exit, string output, string error) = await cli.RunAsync("alice", "verification", "on", "--json");
        Assert.Equal(1, exit);
        using JsonDocument refused = JsonDocument.Parse(output);
        JsonElement blocker = Assert.Single(refused.RootElement.GetProperty("blockers").EnumerateArray());
        Assert.Equal((reason, "the phone"), (blocker.GetProperty("reason").GetString(), blocker.GetProperty("deviceName").GetString()));
        Assert.Contains("the phone", error, StringComparison.Ordinal);
        Assert.Equal("off", (await cli.JsonAsync("alice", "verification", "status")).GetProperty("ckv").GetString());
    }

    [Fact]
    public async Task A_device_the_server_slips_in_is_a_sticky_warning_and_gets_no_message()
    {
        using CkvCli cli = await CkvCli.StartAsync();
        await cli.TwoPeopleAsync(ckvOn: true);

        await cli.OkAsync("alice", "contacts", "set-code", "Bob", (await cli.OkAsync("bob", "code", "copy")).Trim());
        Assert.Equal("Verified", (await cli.StatusAsync("alice", "Bob")).Status);

        using HttpResponseMessage injected = await cli.Process!.Http.PostAsJsonAsync("/dev/misbehave", new { scenario = "inject-device", handle = CkvCli.Bob });
        injected.EnsureSuccessStatusCode();
        string intruder = (await injected.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("deviceId").GetString()!;

        await ExpectAsync(cli, "alice", "Bob", "Warning", "unknown-device");
        (int exit, _, string error) = await cli.RunAsync("alice", "send", "Bob", "secret");
        Assert.Equal(1, exit);
        Assert.Contains("Nothing was sent", error, StringComparison.Ordinal);
        Assert.Empty((await cli.JsonAsync("bob", "inbox")).GetProperty("messages").EnumerateArray());

        JsonElement alert = Assert.Single((await cli.JsonAsync("alice", "alerts")).GetProperty("alerts").EnumerateArray(), a => a.GetProperty("code").GetString() == "unknown-device");
        Assert.Equal("warning", alert.GetProperty("severity").GetString());
        Assert.Equal("Bob", alert.GetProperty("contact").GetString());
        Assert.Contains(intruder, alert.GetProperty("detail").GetString(), StringComparison.Ordinal);

        // Acknowledging does not make the lie acceptable: the next fetch catches it again.
        await cli.OkAsync("alice", "alerts", "--ack", alert.GetProperty("id").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture));
        await ExpectAsync(cli, "alice", "Bob", "Warning", "unknown-device");
    }

    [Fact]
    public async Task A_signed_opt_out_shows_verification_off_with_a_notification_and_a_code_of_another_key_gives_no_checkmark()
    {
        using CkvCli cli = await CkvCli.StartAsync();
        await cli.TwoPeopleAsync(ckvOn: true);
        await cli.RegisterAsync("carol", "mailto:carol@example.com");

        string output = await cli.OkAsync("alice", "contacts", "set-code", "Bob", (await cli.OkAsync("carol", "code", "copy")).Trim());
        Assert.Contains("no checkmark", output, StringComparison.Ordinal);
        Assert.Equal("VerifyContact", (await cli.StatusAsync("alice", "Bob")).Status);

        await cli.OkAsync("bob", "verification", "off");
        await ExpectAsync(cli, "alice", "Bob", "VerificationOff");
        JsonElement notice = Assert.Single((await cli.JsonAsync("alice", "alerts")).GetProperty("alerts").EnumerateArray());
        Assert.Equal(("contact-turned-off", "notification"), (notice.GetProperty("code").GetString(), notice.GetProperty("severity").GetString()));
    }

    [Fact]
    public async Task A_device_refuses_a_server_whose_log_configuration_is_not_the_pinned_one()
    {
        using CkvCli cli = await CkvCli.StartAsync();
        (int exit, _, string error) = await cli.RunAsync(
            "alice", "device", "register", "--server", cli.Server.ToString(), "--handle", CkvCli.Alice, "--name", "phone", "--platform", "phone", "--os-version", "17.2", "--log-config", new string('0', 64));
        Assert.Equal(1, exit);
        Assert.Contains("not the pinned", error, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(cli.Home, "profiles", "alice", "profile.db")));

        (exit, _, error) = await cli.RunAsync("alice", "chat", "details", "Bob");
        Assert.Equal(1, exit);
        Assert.Contains("register", error, StringComparison.Ordinal);
        Assert.Equal(2, (await cli.RunAsync("alice", "contacts", "frobnicate")).Exit);
    }

    [Fact]
    public async Task A_server_that_now_presents_another_log_is_a_configuration_warning_and_its_answers_are_refused()
    {
        using CkvCli cli = await CkvCli.StartAsync();
        await cli.TwoPeopleAsync(ckvOn: false);
        Assert.Empty((await cli.JsonAsync("alice", "alerts")).GetProperty("alerts").EnumerateArray());

        // Alice's device is pointed at another log (a server that swapped its log): same handles, other keys.
        using var other = new TempFolder();
        using ServerProcess swapped = await ServerProcess.StartAsync(other.Path);
        using (var profile = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(cli.Home, "profiles", "alice", "profile.db")};Pooling=false"))
        {
            profile.Open();
            using Microsoft.Data.Sqlite.SqliteCommand update = profile.CreateCommand();
            update.CommandText = "UPDATE settings SET value = $v WHERE key = 'server'";
            update.Parameters.AddWithValue("$v", System.Text.Encoding.UTF8.GetBytes(swapped.Address.ToString()));
            Assert.Equal(1, update.ExecuteNonQuery());
        }

        await cli.RunAsync("alice", "sync");
        string[] codes = (await cli.JsonAsync("alice", "alerts")).GetProperty("alerts").EnumerateArray()
            .Where(a => a.GetProperty("severity").GetString() == "warning").Select(a => a.GetProperty("code").GetString()!).ToArray();
        Assert.Contains("configuration-changed", codes);
        Assert.DoesNotContain(codes, c => c is not ("configuration-changed" or "proof-failed" or "unavailable"));
        Assert.Equal("TurnOnCkv", (await cli.StatusAsync("alice", "Bob")).Status);
        Assert.Equal(1, (await cli.RunAsync("alice", "send", "Bob", "hello?")).Exit);
    }

    [Fact]
    public async Task A_corrupted_proof_is_a_warning_that_outlives_the_lie_and_a_dropped_message_is_reported_missing()
    {
        using CkvCli cli = await CkvCli.StartAsync();
        await cli.TwoPeopleAsync(ckvOn: true);
        await ExpectAsync(cli, "alice", "Bob", "VerifyContact");

        // The server flips a byte in every search answer about Bob: the proof fails, nothing is sent.
        await MisbehaveAsync(cli, "flip-proof", CkvCli.Bob);
        await ExpectAsync(cli, "alice", "Bob", "Warning", "proof-failed");
        Assert.Equal(1, (await cli.RunAsync("alice", "send", "Bob", "hi")).Exit);

        // Honest again: the warning stays until Alice acknowledges it; then Bob verifies as before.
        await MisbehaveAsync(cli, "honest", null);
        await ExpectAsync(cli, "alice", "Bob", "Warning", "proof-failed");
        JsonElement alert = Assert.Single((await cli.JsonAsync("alice", "alerts")).GetProperty("alerts").EnumerateArray(), a => a.GetProperty("code").GetString() == "proof-failed");
        await cli.OkAsync("alice", "alerts", "--ack", alert.GetProperty("id").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture));
        await ExpectAsync(cli, "alice", "Bob", "VerifyContact");

        // The server drops the next message to Bob's devices: the one after it arrives, and the gap is reported.
        await MisbehaveAsync(cli, "drop-message", CkvCli.Bob);
        await cli.OkAsync("alice", "send", "Bob", "first");
        await cli.OkAsync("alice", "send", "Bob", "second");
        JsonElement inbox = await cli.JsonAsync("bob", "inbox");
        Assert.Equal("second", Assert.Single(inbox.GetProperty("messages").EnumerateArray()).GetProperty("text").GetString());
        JsonElement missing = Assert.Single((await cli.JsonAsync("bob", "alerts")).GetProperty("alerts").EnumerateArray());
        Assert.Equal(("messages-missing", "notification", "Alice"), (missing.GetProperty("code").GetString(), missing.GetProperty("severity").GetString(), missing.GetProperty("contact").GetString()));
    }

    [Fact]
    public async Task A_message_from_a_device_no_record_of_the_sender_lists_is_refused_with_a_warning()
    {
        using CkvCli cli = await CkvCli.StartAsync();
        await cli.TwoPeopleAsync(ckvOn: true);
        await ExpectAsync(cli, "bob", "Alice", "VerifyContact");

        using (HttpResponseMessage forged = await cli.Process!.Http.PostAsJsonAsync("/dev/misbehave", new { scenario = "forge-message", handle = CkvCli.Alice, to = CkvCli.Bob }))
        {
            forged.EnsureSuccessStatusCode();
        }

        JsonElement inbox = await cli.JsonAsync("bob", "inbox");
        Assert.Empty(inbox.GetProperty("messages").EnumerateArray());
        Assert.Equal(1, inbox.GetProperty("refused").GetInt32());
        await ExpectAsync(cli, "bob", "Alice", "Warning", "unverified-sender");
    }

    private static async Task MisbehaveAsync(CkvCli cli, string scenario, string? handle)
    {
        using HttpResponseMessage response = await cli.Process!.Http.PostAsJsonAsync("/dev/misbehave", new { scenario, handle });
        response.EnsureSuccessStatusCode();
    }

    private static async Task ExpectAsync(CkvCli cli, string profile, string contact, string status, params string[] reasons)
    {
        (string shown, string[] why) = await cli.StatusAsync(profile, contact);
        Assert.Equal(status, shown);
        Assert.Equal(reasons, why);
    }
}
