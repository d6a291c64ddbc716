using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;

namespace OpenCkv.Server.Tests;

/// <summary>
/// Playing the malicious-server scenarios of `POST /dev/misbehave` (docs/threat-model.md) and checking what a
/// device made of them: the exact status and alert, that nothing was sent, and that the attacker could read nothing.
/// </summary>
internal static class Scenarios
{
    /// <summary>Plays <paramref name="scenario"/>; the server's answer.</summary>
    public static async Task<JsonElement> PlayAsync(CkvCli cli, string scenario, string? handle = null, string? to = null, string? key = null)
    {
        using HttpResponseMessage response = await cli.Process!.Http.PostAsJsonAsync("/dev/misbehave", new { scenario, handle, to, key });
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{scenario}: {(int)response.StatusCode} {body}");
        using JsonDocument document = JsonDocument.Parse(body);
        return document.RootElement.Clone();
    }

    /// <summary>The texts of every message the attacker could open with the keys it made.</summary>
    public static async Task<string[]> AttackerReadAsync(CkvCli cli)
    {
        JsonElement report = await cli.Process!.Http.GetFromJsonAsync<JsonElement>("/dev/misbehave");
        string[] texts = report.GetProperty("readTexts").EnumerateArray().Select(t => t.GetString()!).ToArray();
        Assert.Equal(texts.Length, report.GetProperty("readableMessages").GetInt32());
        return texts;
    }

    /// <summary>The status `chat details` shows, exactly with these reasons.</summary>
    public static async Task ExpectAsync(CkvCli cli, string profile, string contact, string status, params string[] reasons)
    {
        (string shown, string[] why) = await cli.StatusAsync(profile, contact);
        Assert.True(
            status == shown && reasons.SequenceEqual(why),
            $"{profile} sees {contact} as {shown} ({string.Join(", ", why)}), expected {status} ({string.Join(", ", reasons)}); the server's last lines:\n" +
            string.Join('\n', cli.Process?.Lines.TakeLast(15) ?? []));
    }

    /// <summary>
    /// The contact shows the warning <c>proof-failed</c>, and its evidence names one of <paramref name="failures"/>
    /// (a <c>VerificationFailure</c>, optionally with the start of its detail): the check that caught the lie.
    /// </summary>
    public static async Task<string> ProofFailedAsync(CkvCli cli, string profile, string contact, params string[] failures)
    {
        await ExpectAsync(cli, profile, contact, "Warning", "proof-failed");
        string detail = (await AlertAsync(cli, profile, "proof-failed")).GetProperty("detail").GetString()!;
        Assert.True(failures.Any(f => detail.Contains($"did not verify: {f}", StringComparison.Ordinal)), detail);
        return detail;
    }

    /// <summary>
    /// Honest again: the warning <paramref name="code"/> stays until Alice acknowledges it; then Bob verifies and
    /// gets her messages as before — her retained state was never replaced by the lie.
    /// </summary>
    public static async Task RecoversAsync(CkvCli cli, string code)
    {
        await PlayAsync(cli, "honest");
        await ExpectAsync(cli, "alice", "Bob", "Warning", code);
        await AcknowledgeAsync(cli, "alice", code);
        await ExpectAsync(cli, "alice", "Bob", "VerifyContact");
        await cli.OkAsync("alice", "send", "Bob", "back to normal");
        Assert.Contains("back to normal", await cli.OkAsync("bob", "inbox"), StringComparison.Ordinal);
    }

    /// <summary>The version of the contact's record the device trusts.</summary>
    public static async Task<uint?> PinnedVersionAsync(CkvCli cli, string profile, string contact)
    {
        JsonElement details = await cli.JsonAsync(profile, "chat", "details", contact);
        return details.GetProperty("pinnedVersion").ValueKind == JsonValueKind.Null ? null : details.GetProperty("pinnedVersion").GetUInt32();
    }

    /// <summary>The device's unacknowledged alert with <paramref name="code"/>, which must be there exactly once.</summary>
    public static async Task<JsonElement> AlertAsync(CkvCli cli, string profile, string code)
    {
        JsonElement alerts = (await cli.JsonAsync(profile, "alerts")).GetProperty("alerts");
        return Assert.Single(alerts.EnumerateArray(), a => a.GetProperty("code").GetString() == code);
    }

    /// <summary>Acknowledges the device's alert with <paramref name="code"/>.</summary>
    public static async Task AcknowledgeAsync(CkvCli cli, string profile, string code)
    {
        JsonElement alert = await AlertAsync(cli, profile, code);
        await cli.OkAsync(profile, "alerts", "--ack", alert.GetProperty("id").GetInt64().ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// The person tries to write to the contact: refused with nothing sent, nothing queued for the contact's device
    /// (<paramref name="contactProfile"/>, when the server still lets it in), and nothing the attacker could read.
    /// </summary>
    public static async Task NothingSentAsync(CkvCli cli, string profile, string contact, string? contactProfile)
    {
        (int exit, _, string error) = await cli.RunAsync(profile, "send", contact, "for " + contact + " only");
        Assert.True(exit == 1, $"send to {contact} exited {exit}: {error}");
        Assert.Contains("Nothing was sent", error, StringComparison.Ordinal);
        if (contactProfile is not null)
        {
            Assert.Empty((await cli.JsonAsync(contactProfile, "inbox")).GetProperty("messages").EnumerateArray());
        }

        Assert.Empty(await AttackerReadAsync(cli));
    }
}
