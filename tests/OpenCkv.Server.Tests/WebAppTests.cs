using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace OpenCkv.Server.Tests;

/// <summary>
/// `ckv web` in Debian's Chromium: Alice and Bob, each on a tab of their own, go through the seed's screens against a
/// real development server — turning verification on, sharing a public code, comparing codes side by side, messaging
/// — and then the server lies and Alice's tab shows the warning. Screenshots of each screen are kept.
/// </summary>
public sealed partial class WebAppTests
{
    [Fact]
    public async Task Two_people_on_two_tabs_reach_a_checkmark_and_see_a_lying_server_as_a_warning()
    {
        using CkvCli cli = await CkvCli.StartAsync();
        await cli.TwoPeopleAsync(ckvOn: false);
        using ServerProcess web = await ServerProcess.StartWebAsync(cli.Home);
        await using Browser browser = await Browser.LaunchAsync();
        IBrowserContext context = await browser.Chromium.NewContextAsync(new BrowserNewContextOptions { BaseURL = web.Address.ToString() });
        await context.GrantPermissionsAsync(["clipboard-read", "clipboard-write"]);
        IPage alice = await context.NewPageAsync();
        IPage bob = await context.NewPageAsync();

        // The profiles to open, one per tab.
        await alice.GotoAsync("/");
        await Expect(alice.GetByRole(AriaRole.Link, new() { Name = "alice" })).ToBeVisibleAsync();

        // Turning CKV on: first the requirement the account misses, with the way out; then "Continue".
        await alice.GotoAsync("/p/alice/settings");
        await Expect(alice.Locator("#ckv-state")).ToHaveTextAsync("Off");
        await Expect(alice.Locator(".blockers li")).Not.ToHaveCountAsync(0);
        await Shot(alice, "1-requirements");
        foreach ((string profile, IPage page) in new[] { ("alice", alice), ("bob", bob) })
        {
            await cli.EnableTwoFactorAsync(profile);
            await page.GotoAsync($"/p/{profile}/settings");
            await Expect(page.Locator(".blockers li")).ToHaveCountAsync(0);
            if (profile == "bob")
            {
                // Bob uses the keyboard alone: the switch and "Continue" are reached with Tab and pressed with Enter.
                await TabToAsync(page, "Turn On");
                await page.Keyboard.PressAsync("Enter");
                await Expect(page.GetByRole(AriaRole.Dialog)).ToContainTextAsync("Turn on Contact Key Verification?");
                await TabToAsync(page, "Continue");
                await page.Keyboard.PressAsync("Enter");
            }
            else
            {
                await page.GetByRole(AriaRole.Switch, new() { Name = "Turn On" }).ClickAsync();
                await Expect(page.GetByRole(AriaRole.Dialog)).ToContainTextAsync("Turn on Contact Key Verification?");
                await page.GetByRole(AriaRole.Button, new() { Name = "Continue" }).ClickAsync();
            }

            await Expect(page.Locator("#ckv-state")).ToHaveTextAsync("On");
            await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("on for all your devices");
        }

        // Bob shows his public code (with its QR code) and copies it.
        await bob.GetByRole(AriaRole.Button, new() { Name = "Show Public Verification Code" }).ClickAsync();
        string code = (await bob.Locator("#public-code").InnerTextAsync()).Trim();
        Assert.Equal((await cli.OkAsync("bob", "code", "copy")).Trim(), code.Replace(" ", string.Empty, StringComparison.Ordinal).Replace("-", string.Empty, StringComparison.Ordinal), ignoreCase: true);
        await Expect(bob.Locator(".qr svg")).ToBeVisibleAsync();
        await bob.GetByRole(AriaRole.Button, new() { Name = "Copy Verification Code" }).ClickAsync();
        await Expect(bob.Locator(".copied")).ToHaveTextAsync("Copied.");
        Assert.Equal(code, await bob.EvaluateAsync<string>("navigator.clipboard.readText()"));
        await Shot(bob, "2-public-code");

        // Alice adds the "Verification Code" field to Bob's card: a typo is refused, the real code gives the checkmark.
        await alice.GotoAsync("/p/alice/contacts/Bob");
        await alice.GetByRole(AriaRole.Button, new() { Name = "add field" }).ClickAsync();
        await alice.GetByLabel("Add field").SelectOptionAsync("code");
        await alice.GetByRole(AriaRole.Button, new() { Name = "Add" }).ClickAsync();
        string another = (await cli.OkAsync("alice", "code", "copy")).Trim();
        await alice.GetByLabel("Verification Code").FillAsync(another);
        await alice.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(alice.GetByRole(AriaRole.Alert)).ToContainTextAsync("does not match the key the server presents for Bob");
        await alice.GotoAsync("/p/alice/contacts");
        await Expect(alice.GetByRole(AriaRole.Listitem).Filter(new() { HasText = "Bob" })).Not.ToContainTextAsync("✓");
        await alice.GotoAsync("/p/alice/contacts/Bob?field=code");
        await alice.GetByLabel("Verification Code").FillAsync(Typo(code));
        await alice.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(alice.GetByRole(AriaRole.Alert)).ToContainTextAsync("typo");
        await Shot(alice, "3-typo");
        await alice.GetByLabel("Verification Code").FillAsync(code);
        await alice.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(alice.GetByRole(AriaRole.Status)).ToContainTextAsync("matches Bob's verified account key");
        await Expect(alice.Locator("#saved-code")).ToHaveTextAsync(code);
        await alice.GotoAsync("/p/alice/contacts");
        await Expect(alice.GetByRole(AriaRole.Listitem).Filter(new() { HasText = "Bob" })).ToContainTextAsync("✓ Verified");
        await Shot(alice, "4-contacts-checkmark");

        // Bob has no code for Alice: they compare side by side. No code shows until both opened the screen.
        await bob.GotoAsync("/p/bob/chat/Alice/details");
        await Expect(bob.Locator("#details-status")).ToHaveTextAsync(new Regex("Verify Contact"));
        await bob.GetByRole(AriaRole.Button, new() { Name = "Verify Contact" }).ClickAsync();
        await Expect(bob.GetByRole(AriaRole.Status)).ToContainTextAsync("Waiting for Alice");
        await Expect(bob.Locator("#comparison-code")).ToHaveCountAsync(0);
        await Shot(bob, "5-waiting");
        await alice.GotoAsync("/p/alice/chat/Bob/details");
        await alice.GetByRole(AriaRole.Button, new() { Name = "Verify Contact" }).ClickAsync();
        await Expect(alice.Locator("#comparison-code")).ToBeVisibleAsync(new() { Timeout = 60_000 });
        await Expect(bob.Locator("#comparison-code")).ToBeVisibleAsync(new() { Timeout = 60_000 });
        string shownToAlice = await alice.Locator("#comparison-code").InnerTextAsync();
        Assert.Equal(shownToAlice, await bob.Locator("#comparison-code").InnerTextAsync());
        await Shot(bob, "6-side-by-side");
        foreach (IPage page in new[] { bob, alice })
        {
            await page.GetByRole(AriaRole.Button, new() { Name = "Mark as Verified" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("is marked as verified", new() { Timeout = 60_000 });
        }

        await bob.GotoAsync("/p/bob/chat/Alice/details");
        await Expect(bob.Locator("#details-status")).ToHaveTextAsync(new Regex("✓\\s*Verified"));

        // An end-to-end encrypted message each way.
        await alice.GotoAsync("/p/alice/chat/Bob");
        await Expect(alice.Locator("#chat-status")).ToHaveTextAsync(new Regex("✓\\s*Verified"));
        await alice.GetByRole(AriaRole.Textbox, new() { Name = "Message" }).FillAsync("Hello Bob, from the browser");
        await alice.GetByRole(AriaRole.Button, new() { Name = "Send" }).ClickAsync();
        await Expect(alice.GetByRole(AriaRole.Status)).ToContainTextAsync("Sent, encrypted to 1 device(s) of Bob");
        await bob.GotoAsync("/p/bob/chat/Alice");
        await Expect(bob.Locator(".thread li.in")).ToHaveTextAsync(new Regex("Hello Bob, from the browser"));
        await Shot(bob, "7-conversation");
        await bob.GotoAsync("/p/bob");
        await Expect(bob.GetByRole(AriaRole.Listitem).Filter(new() { HasText = "Alice" })).ToContainTextAsync("Hello Bob, from the browser");

        // The log explorer: verified heads and each step of a verified search for Bob.
        await alice.GotoAsync("/p/alice/log?q=" + Uri.EscapeDataString(CkvCli.Bob));
        await Expect(alice.Locator("#tree-head")).ToContainTextAsync("signature verified");
        await Expect(alice.Locator("#proof-steps li")).Not.ToHaveCountAsync(0);
        await Expect(alice.Locator("#proof-steps")).ToContainTextAsync("Binary ladder");
        await Expect(alice.Locator("table tbody tr")).Not.ToHaveCountAsync(0);
        await Shot(alice, "8-log-explorer");

        // The server slips a device of its own into Bob's record: Alice's conversation turns to a warning.
        using (HttpResponseMessage lie = await cli.Process!.Http.PostAsJsonAsync("/dev/misbehave", new { scenario = "inject-device", handle = CkvCli.Bob }))
        {
            lie.EnsureSuccessStatusCode();
        }

        await alice.GotoAsync("/p/alice/chat/Bob");
        await Expect(alice.Locator("#chat-status")).ToHaveTextAsync(new Regex("⚠\\s*Warning"));
        await Expect(alice.Locator(".in-chat")).Not.ToHaveCountAsync(0);
        await Shot(alice, "9-warning");
        await alice.GetByRole(AriaRole.Textbox, new() { Name = "Message" }).FillAsync("this must not go out");
        await alice.GetByRole(AriaRole.Button, new() { Name = "Send" }).ClickAsync();
        await Expect(alice.GetByRole(AriaRole.Alert).First).ToBeVisibleAsync();
        Assert.Empty(await Scenarios.AttackerReadAsync(cli));
        await alice.GotoAsync("/p/alice/alerts");
        await Expect(alice.Locator("tr.warning-row")).Not.ToHaveCountAsync(0);
        await Shot(alice, "10-alerts");
    }

    [Fact]
    public async Task An_unknown_profile_is_not_found_a_path_never_leaves_the_profiles_folder_and_only_loopback_names_are_answered()
    {
        using var home = new TempFolder();
        using ServerProcess web = await ServerProcess.StartWebAsync(home.Path);
        foreach (string path in (string[])["/p/nobody", "/p/..%2F..%2Fetc/settings", "/p/%2E%2E/alerts"])
        {
            using HttpResponseMessage response = await web.Http.GetAsync(new Uri(path, UriKind.Relative));
            Assert.Equal(System.Net.HttpStatusCode.NotFound, response.StatusCode);
        }

        // A page elsewhere that points its own name at 127.0.0.1 (DNS rebinding) reads nothing.
        using var rebound = new HttpRequestMessage(HttpMethod.Get, new Uri("/", UriKind.Relative));
        rebound.Headers.Host = "attacker.example";
        using HttpResponseMessage refused = await web.Http.SendAsync(rebound);
        Assert.Equal(System.Net.HttpStatusCode.MisdirectedRequest, refused.StatusCode);
        using var local = new HttpRequestMessage(HttpMethod.Get, new Uri("/", UriKind.Relative));
        local.Headers.Host = "localhost:" + web.Address.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        using HttpResponseMessage answered = await web.Http.SendAsync(local);
        Assert.Equal(System.Net.HttpStatusCode.OK, answered.StatusCode);

        // Nor does it listen beyond this machine.
        (int exit, _, string error) = await ServerProcess.RunCommandAsync("web", "--urls", "http://0.0.0.0:5999");
        Assert.Equal(2, exit);
        Assert.Contains("is not a loopback address", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_log_explorer_of_an_audited_log_shows_the_auditor_head_it_verified()
    {
        using var auditorData = new TempFolder();
        (int exit, _, string error) = await ServerProcess.RunCommandAsync("auditor", "init", "--data", auditorData.Path);
        Assert.True(exit == 0, error);
        using CkvCli cli = await CkvCli.StartAsync(["--max-auditor-lag-s", "30"], ["--heartbeat-s", "1"], auditorData);
        using ServerProcess auditor = await ServerProcess.StartAuditorAsync(cli.Server, auditorData.Path, "--poll-ms", "100");
        await cli.RegisterAsync("alice", CkvCli.Alice);
        using ServerProcess web = await ServerProcess.StartWebAsync(cli.Home);
        await using Browser browser = await Browser.LaunchAsync();
        IPage alice = await browser.Chromium.NewPageAsync(new BrowserNewPageOptions { BaseURL = web.Address.ToString() });

        await alice.GotoAsync("/p/alice/log");
        await Expect(alice.Locator("#auditor-head")).ToContainTextAsync("signature verified");
        await Expect(alice.Locator("#proof-steps")).ToContainTextAsync("Auditor head (KT §11.3)");
        await Expect(alice.Locator("#proof-steps")).ToContainTextAsync(CkvCli.Alice);
        await Shot(alice, "11-audited-log");
    }

    /// <summary>Presses Tab until the focused control reads <paramref name="name"/>; fails if it is never reached.</summary>
    private static async Task TabToAsync(IPage page, string name)
    {
        for (int i = 0; i < 40; i++)
        {
            await page.Keyboard.PressAsync("Tab");
            if (await page.EvaluateAsync<string>("() => (document.activeElement?.textContent ?? '').trim()") == name)
            {
                return;
            }
        }

        Assert.Fail($"\"{name}\" cannot be reached with the Tab key.");
    }

    /// <summary>The code with its first letter or digit changed to another of the same kind: the checksum must catch it.</summary>
    private static string Typo(string code)
    {
        int at = 0;
        while (!char.IsAsciiLetterOrDigit(code[at]))
        {
            at++;
        }

        char c = code[at];
        char changed = char.IsAsciiDigit(c) ? (char)('0' + ((c - '0' + 1) % 10)) : c is 'z' or 'Z' ? (char)(c - 1) : (char)(c + 1);
        return code[..at] + changed + code[(at + 1)..];
    }

    private static async Task Shot(IPage page, string name) =>
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Browser.Screenshots, $"web-{name}.png"), FullPage = true });
}
