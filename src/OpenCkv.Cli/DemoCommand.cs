using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using OpenCkv.Auditor;
using OpenCkv.Cli.Commands;
using OpenCkv.Client;
using OpenCkv.Client.Alerts;
using OpenCkv.Directory.Sequencing;
using OpenCkv.Protocol;
using OpenCkv.Server;

namespace OpenCkv.Cli;

/// <summary>
/// `ckv demo`: an embedded development server on loopback with a temporary SQLite folder, two people, and the
/// seed's statuses one after the other — then the server turns malicious and the warning that catches it.
/// </summary>
internal static class DemoCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length > 0)
        {
            Console.Error.WriteLine("usage: ckv demo");
            return 2;
        }

        DirectoryInfo root = System.IO.Directory.CreateTempSubdirectory("ckv-demo-");
        try
        {
            // A third-party-auditing log: the auditor's key is in the log's configuration from its creation on.
            string auditorFolder = Path.Combine(root.FullName, "auditor");
            (_, string auditorKey) = AuditorFolder.Create(auditorFolder);
            var options = new ServerOptions
            {
                DataFolder = Path.Combine(root.FullName, "server"),
                Urls = "http://127.0.0.1:0",
                Dev = true,
                Sequencer = new SequencerOptions { BatchInterval = TimeSpan.FromMilliseconds(10), HeartbeatInterval = TimeSpan.FromMinutes(10) },
            };
            LogFolder.Create(options.DataFolder, Convert.FromHexString(auditorKey));
            await using WebApplication server = DirectoryServer.Build(options, logging: l => l.ClearProviders());
            await server.StartAsync().ConfigureAwait(false);
            var address = new Uri(server.Urls.First());

            using var stop = new CancellationTokenSource();
            using var auditorHttp = new HttpClient { BaseAddress = address };
            using AuditorService auditor = await AuditorService.OpenAsync(auditorFolder, auditorHttp, TextWriter.Null, Console.Error, stop.Token).ConfigureAwait(false);
            Task auditing = auditor.RunAsync(TimeSpan.FromMilliseconds(20), stop.Token);
            Step($"A development directory server runs at {address}: a third-party-auditing log in {options.DataFolder}, followed by its auditor, which checks every entry and signs the heads clients require.");
            try
            {
                await new Walkthrough(root.FullName, address).RunAsync().ConfigureAwait(false);
                Step($"The auditor verified all {auditor.TreeSize} entries of the log{(auditor.Alarm is null ? " and raised no alarm" : $": ALARM {auditor.Alarm}")}.");
            }
            finally
            {
                await stop.CancelAsync().ConfigureAwait(false);
                try
                {
                    await auditing.ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    // stopped
                }
            }

            await server.StopAsync().ConfigureAwait(false);
            return 0;
        }
        catch (Exception e) when (e is CkvException or RequirementsException or HttpRequestException)
        {
            Console.Error.WriteLine($"ckv demo: FAILED: {e.Message}");
            return 1;
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }

    private static void Step(string text) => Console.WriteLine($"\n== {text}");

    private static void Say(string text) => Console.WriteLine($"   {text}");

    private sealed class Walkthrough(string root, Uri server)
    {
        // The demo's profiles are deleted with its folder, so their keys stay in it too: never in the desktop's key
        // store, where they would outlive the demo.
        private static readonly CkvOptions Throwaway = new()
        {
            SecretStoreFor = static folder => new Client.Secrets.FileSecretStore(Path.Combine(folder, Client.Secrets.SecretStores.FileName)),
        };

        public async Task RunAsync()
        {
            Step("Alice and Bob register their phones. Each first device makes the account key and the keychain circle.");
            using CkvDevice alice = await RegisterAsync("alice", "mailto:alice@example.com", "Alice's phone").ConfigureAwait(false);
            using CkvDevice bob = await RegisterAsync("bob", "mailto:bob@example.com", "Bob's phone").ConfigureAwait(false);

            Step("Each adds a second device. The new device and a trusted one show a join code; the person confirms it matches.");
            using CkvDevice tablet = await JoinAsync(alice, "alice-tablet", "mailto:alice@example.com", "Alice's tablet", "tablet").ConfigureAwait(false);
            using CkvDevice laptop = await JoinAsync(bob, "bob-laptop", "mailto:bob@example.com", "Bob's laptop", "desktop").ConfigureAwait(false);

            alice.AddContact("Bob", "mailto:bob@example.com");
            bob.AddContact("Alice", "mailto:alice@example.com");
            await alice.SyncAsync().ConfigureAwait(false);
            await tablet.SyncAsync().ConfigureAwait(false);
            Say($"Alice saved Bob on her phone; the keychain brought the card to her tablet: {string.Join(", ", tablet.Contacts().Select(c => c.Name))}.");
            await ShowAsync(alice, "Bob").ConfigureAwait(false);

            Step("Alice opens Settings › Contact Key Verification and turns it on.");
            try
            {
                await alice.SetVerificationAsync(true).ConfigureAwait(false);
            }
            catch (RequirementsException refused)
            {
                foreach (Protocol.Api.BlockerMessage blocker in refused.Blockers)
                {
                    Say($"blocked: {blocker.DeviceName ?? "the account"}: {blocker.Reason} — {blocker.WayOut}");
                }
            }

            Say("She turns on two-factor authentication, then CKV again — for all her devices at once:");
            await EnableAsync(alice).ConfigureAwait(false);
            await tablet.SyncAsync().ConfigureAwait(false);
            Say($"Alice's tablet after its next sync: CKV {(tablet.OwnCkvOn ? "on" : "off")}.");
            await ShowAsync(tablet, "Bob").ConfigureAwait(false);

            Step("Bob turns it on too.");
            await EnableAsync(bob).ConfigureAwait(false);
            await ShowAsync(alice, "Bob").ConfigureAwait(false);

            Step("Public verification code: Bob shows his (`ckv code show`); Alice adds it to his contact card.");
            string code = bob.PublicVerificationCode;
            Say($"Bob's code: {PublicCode.Format(code)}");
            string typo = code[..10] + (code[10] == 'q' ? 'p' : 'q') + code[11..];
            try
            {
                await alice.SetContactCodeAsync("Bob", typo).ConfigureAwait(false);
            }
            catch (CkvException e)
            {
                Say($"Alice mistypes one character: {e.Message}");
            }

            await alice.SetContactCodeAsync("Bob", code).ConfigureAwait(false);
            Say("She pastes it correctly:");
            await ShowAsync(alice, "Bob").ConfigureAwait(false);
            await alice.SyncAsync().ConfigureAwait(false);
            await tablet.SyncAsync().ConfigureAwait(false);
            await ShowAsync(tablet, "Bob").ConfigureAwait(false);

            Step("On-device comparison: Bob and Alice open \"Verify Contact\" at the same time (`ckv verify`).");
            await ShowAsync(bob, "Alice").ConfigureAwait(false);
            Task<ComparisonResult> onBob = bob.CompareAsync("Alice", c => { Say($"Bob's phone shows {c}; Mark as Verified? yes"); return true; }, TimeSpan.FromSeconds(30));
            Task<ComparisonResult> onAlice = alice.CompareAsync("Bob", c => { Say($"Alice's phone shows {c}"); return true; }, TimeSpan.FromSeconds(30));
            await Task.WhenAll(onBob, onAlice).ConfigureAwait(false);
            await ShowAsync(bob, "Alice").ConfigureAwait(false);

            Step("Alice writes to Bob. The message is encrypted to each device of Bob's verified record, and copied to her tablet.");
            SendReport sent = await alice.SendAsync("Bob", "Hi Bob, it's really me.").ConfigureAwait(false);
            Say($"sent to {sent.ContactDevices} of Bob's devices and {sent.OwnDevices} of Alice's own");
            await bob.SyncAsync(fetchMail: false).ConfigureAwait(false);
            await laptop.SyncAsync(fetchMail: false).ConfigureAwait(false);
            foreach (CkvDevice device in new[] { bob, laptop })
            {
                foreach (ChatMessage message in (await device.ReceiveAsync().ConfigureAwait(false)).Accepted)
                {
                    Client.Profiles.ContactEntry? sender = device.Contacts().FirstOrDefault(c => c.Label == message.Label);
                    string from = sender is null ? message.Label : Badge.Name(sender.Name, device.StatusOf(sender));
                    Say($"{device.DeviceName}: from {from}: {message.Text}");
                }
            }

            Step("Now the server turns malicious: it slips a device of its own into Bob's record (`/dev/misbehave inject-device`).");
            using (var http = new HttpClient { BaseAddress = server })
            {
                using HttpResponseMessage response = await http.PostAsJsonAsync("/dev/misbehave", new { scenario = "inject-device", handle = "mailto:bob@example.com" }).ConfigureAwait(false);
                response.EnsureSuccessStatusCode();
            }

            Say("The log proves the new version — but Bob's account key never signed it. Alice's device checks it on the next fetch:");
            await ShowAsync(alice, "Bob").ConfigureAwait(false);
            try
            {
                await alice.SendAsync("Bob", "Are you there?").ConfigureAwait(false);
            }
            catch (CkvException e)
            {
                Say($"Sending again: {e.Message}");
            }

            foreach (Alert alert in alice.Alerts(unacknowledgedOnly: true))
            {
                Say($"`ckv alerts`: {(alert.Severity == AlertSeverity.Warning ? "WARNING" : "notice")} [{alert.Code}] {alert.Detail}");
            }

            Step("Done: the warning stays until Alice acknowledges it or verifies Bob again, and nothing reaches the server's device.");
        }

        private async Task<CkvDevice> JoinAsync(CkvDevice trusted, string profile, string handle, string name, string platform)
        {
            var setup = new DeviceSetup(server, handle, name, platform, "17.2");
            Task<CkvDevice> joining = CkvDevice.JoinAsync(
                Path.Combine(root, "profiles", profile), setup, secondFactor: null, code => Say($"{name} shows join code {code}"), TimeSpan.FromSeconds(30), Throwaway);
            ApprovedJoin approved = await trusted.ApproveAsync(null, code => { Say($"{trusted.DeviceName} shows join code {code}: same code, approved"); return true; }, TimeSpan.FromSeconds(30)).ConfigureAwait(false);
            CkvDevice joined = await joining.ConfigureAwait(false);
            Say($"{name} joined (log entry {approved.Position}); it accepted the account key only from its verified record.");
            return joined;
        }

        private async Task<CkvDevice> RegisterAsync(string profile, string handle, string name)
        {
            var setup = new DeviceSetup(server, handle, name, "phone", "17.2");
            RegisteredDevice registered = await CkvDevice.RegisterAsync(Path.Combine(root, "profiles", profile), setup, Throwaway).ConfigureAwait(false);
            Say($"{name} registered {registered.Device.Label}; log configuration pinned: {registered.Device.ConfigurationFingerprint[..16]}…");
            return registered.Device;
        }

        private static async Task EnableAsync(CkvDevice device)
        {
            Protocol.Api.TwoFactorEnrollment enrollment = await device.BeginTwoFactorAsync().ConfigureAwait(false);
            await device.ConfirmTwoFactorAsync(new OtpNet.Totp(OtpNet.Base32Encoding.ToBytes(enrollment.Secret)).ComputeTotp()).ConfigureAwait(false);
            Protocol.Api.ChangeReceiptMessage receipt = await device.SetVerificationAsync(true).ConfigureAwait(false);
            Say($"{device.DeviceName}: Contact Key Verification on (log entry {receipt.Position}).");
        }

        private static async Task ShowAsync(CkvDevice device, string contact)
        {
            ChatDetails details = await device.ChatDetailsAsync(contact).ConfigureAwait(false);
            Say($"{device.DeviceName} › chat details: {Badge.Line(details.Contact.Name, details.Status)}");
        }
    }
}
