using System.Diagnostics;
using System.Net.Http.Json;
using OpenCkv.Client;
using OpenCkv.Client.Alerts;
using OpenCkv.Client.Verification;
using OpenCkv.KeyTransparency;
using OpenCkv.KeyTransparency.Tls;
using OpenCkv.Protocol.Api;
using Xunit.Abstractions;

namespace OpenCkv.Server.Tests;

/// <summary>
/// "No false alarms": a long, varied run against an honest server — many devices joining and leaving, keys
/// rotating, contacts turning CKV off and on, devices offline for a while (far less than the grace period and the
/// log's maximum lifetime), the server and its auditor restarted — raises no warning on any device, and exactly the
/// notifications the schedule calls for. Each device is driven through the SDK in this process; the server and the
/// auditor are real processes on a third-party-auditing log. A model of every device (<see cref="RunDevice"/>)
/// says after each step what the device must have shown; account resets are not part of an honest run.
/// </summary>
public sealed class HonestRunTests(ITestOutputHelper output) : IDisposable
{
    /// <summary>The schedule's seed: fixed, so a failure replays; CKV_HONEST_RUN_SEED tries another schedule.</summary>
    private static readonly int Seed = int.TryParse(Environment.GetEnvironmentVariable("CKV_HONEST_RUN_SEED"), out int seed) ? seed : 20_250_611;
    private const int Steps = 2_000;
    private const int MaxDevicesPerPerson = 3;
    private const int MaxJoins = 16;
    private static readonly TimeSpan JoinTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The address the profiles name; <see cref="MovableServerHandler"/> takes each request to the running process.</summary>
    private static readonly Uri ProfileServer = new("http://openckv-server.test/");

    /// <summary>Generous limits: six people on one loopback address are not an abuse.</summary>
    private static readonly string[] ServerArguments =
        ["--batch-ms", "5", "--searches-per-minute", "100000", "--signed-per-minute", "100000", "--sensitive-per-minute", "100000"];

    private readonly TempFolder _serverData = new();
    private readonly TempFolder _auditorData = new();
    private readonly TempFolder _profiles = new();
    private readonly Random _random = new(Seed);
    private readonly List<RunPerson> _people = [];
    private readonly List<RunDevice> _removed = [];
    private readonly Queue<string> _recent = new();
    private readonly Dictionary<string, int> _counts = new(StringComparer.Ordinal);
    private readonly List<ChatStatusKind> _finalStatuses = [];
    private ServerProcess? _server;
    private ServerProcess? _auditor;
    private MovableServerHandler? _handler;
    private int _step;
    private int _operations;
    private int _messages;

    private IEnumerable<RunDevice> LiveDevices => _people.SelectMany(p => p.Devices);

    [Fact]
    public async Task A_long_honest_run_raises_no_warning_and_exactly_the_expected_notifications()
    {
        var clock = Stopwatch.StartNew();
        try
        {
            await StartServerAndAuditorAsync();
            await MeetSixPeopleAsync();
            for (_step = 0; _step < Steps; _step++)
            {
                await BringBackOnlineAsync();
                if (_step == Steps * 2 / 5)
                {
                    await RestartServerAsync();
                }
                else if (_step == Steps * 7 / 10)
                {
                    await RestartAuditorAsync();
                }
                else
                {
                    await RandomStepAsync();
                }

                if (_step % 100 == 99)
                {
                    // Each step already checked the devices it used; the others changed nothing since their last check.
                    CheckEveryDevice();
                }
            }

            await SettleAsync();
            await EveryoneButOneTurnsCkvOnAsync();
            await SettleAsync();
            await CheckChatStatusesAsync();
            CheckEveryDevice();
            await StopServerAndAuditorAsync();
        }
        catch (Exception e)
        {
            throw new InvalidOperationException(
                WithDeviceNames($"The honest run (seed {Seed}) failed at step {_step}, operation {_operations}: {e.Message}\nlast steps:\n{string.Join('\n', _recent)}"), e);
        }

        output.WriteLine($"seed {Seed}: {Steps} steps, {_operations} SDK operations in {clock.Elapsed.TotalSeconds:F0} s");
        output.WriteLine(string.Join(", ", _counts.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key} {c.Value}")));
        output.WriteLine($"notifications: {string.Join(", ", LiveDevices.Concat(_removed).SelectMany(d => d.Notices).GroupBy(n => n.Split(' ')[0]).Select(g => $"{g.Key} {g.Count()}"))}");
        RunDevice[] all = [.. LiveDevices, .. _removed];
        output.WriteLine(
            $"{_messages} messages sent; copies accepted {all.Sum(d => d.Delivery.Accepted)}, refused as from a device signed out before they arrived " +
            $"{all.Sum(d => d.Delivery.FromSignedOut)}, own copies refused {all.Sum(d => d.Delivery.OwnCopiesRefused)}");
        output.WriteLine($"final chat statuses: {string.Join(", ", _finalStatuses.GroupBy(k => k).OrderBy(g => g.Key).Select(g => $"{g.Key} {g.Count()}"))}");
        Assert.True(_operations >= 2_000, $"only {_operations} operations");
    }

    // The schedule.

    /// <summary>One step: a device that is online does one thing, chosen by the seeded generator.</summary>
    private async Task RandomStepAsync()
    {
        RunDevice[] online = LiveDevices.Where(d => d.Online(_step)).ToArray();
        if (online.Length == 0)
        {
            return;
        }

        RunDevice device = online[_random.Next(online.Length)];
        int roll = _random.Next(1000);
        bool done = roll switch
        {
            < 320 => await SendAsync(device),
            < 460 => await ReceiveAsync(device),
            < 580 => await SyncAsync(device, "sync"),
            < 650 => await CheckContactAsync(device),
            < 710 => await ChatDetailsAsync(device),
            < 740 => await MonitorContactsAsync(device),
            < 760 => await MonitorOwnHandlesAsync(device),
            < 800 => await SaveCodeAsync(device),
            < 830 => AddContact(device),
            < 840 => await PushKeychainAsync(device),
            < 860 => await ReceiveKeychainAsync(device),
            < 890 => GoOffline(device, online.Length),
            < 905 => await JoinAsync(device),
            < 915 => await SignOutInHandAsync(device),
            < 925 => await SignOutLostAsync(device),
            < 940 => await ToggleCkvAsync(device),
            _ => await SendAsync(device),
        };

        if (!done)
        {
            await SyncAsync(device, "sync");
        }

        if (device.Owner.Devices.Contains(device))
        {
            Check(device);
        }
    }

    /// <summary>Six people register a phone each, save some of the others, and four of them turn CKV on.</summary>
    private async Task MeetSixPeopleAsync()
    {
        foreach (string name in (string[])["Alice", "Bob", "Carol", "Dave", "Erin", "Frank"])
        {
            var person = new RunPerson(name);
            _people.Add(person);
            RunDevice phone = NewDevice(person, "phone");
            RegisteredDevice registered = await Op($"{phone} register", () => CkvDevice.RegisterAsync(
                phone.Folder, new DeviceSetup(ProfileServer, person.Handle, phone.Name, "phone", "17.2"), handler: _handler));
            phone.Registered(registered.Device);
            person.Devices.Add(phone);
            person.Codes.Add(phone.Sdk.PublicVerificationCode);
        }

        foreach (RunPerson person in _people)
        {
            RunDevice phone = person.Devices[0];
            foreach (RunPerson other in _people.Where(o => o != person).OrderBy(_ => _random.Next()).Take(3 + _random.Next(2)))
            {
                Op($"{phone} add contact {other}", () => phone.Sdk.AddContact(other.Name, other.Handle));
                phone.Contacts[other.Name] = new Card(other, null);
                phone.KeychainDirty = true;
            }
        }

        foreach (RunPerson person in _people.Take(4))
        {
            await ToggleCkvAsync(person.Devices[0]);
        }
    }

    // What devices do, each followed in the model.

    private async Task<bool> SendAsync(RunDevice device)
    {
        if (device.Contacts.Count == 0)
        {
            return false;
        }

        Card card = Pick(device.Contacts.Values.OrderBy(c => c.Person.Name, StringComparer.Ordinal).ToArray());
        RunPerson to = card.Person;
        string text = $"message {++_messages} from {device} to {to}";
        SendReport report = await Op($"{device} send {to}", () => device.Sdk.SendAsync(to.Name, text));
        device.Check(to);
        if (device.OtherOwnDevices().Any(id => !device.Owner.Devices.Any(d => d.Id == id)))
        {
            // Refused for a copy to a device signed out elsewhere: the sender checks its own record and sends again.
            device.CheckOwnRecord();
        }

        RunDevice[] own = device.OtherOwnDevices().Select(Live).ToArray();
        foreach (RunDevice recipient in to.Devices)
        {
            recipient.Mailbox.Add(new Mail(device, device.Owner, text, OwnCopy: false));
        }

        foreach (RunDevice sibling in own)
        {
            sibling.Mailbox.Add(new Mail(device, to, text, OwnCopy: true));
        }

        Assert.Equal((to.Devices.Count, own.Length), (report.ContactDevices, report.OwnDevices));
        return true;
    }

    private async Task<bool> ReceiveAsync(RunDevice device)
    {
        ReceiveReport report = await Op($"{device} receive", () => device.Sdk.ReceiveAsync());
        int refused = device.ReceivePage();
        Assert.Equal(refused, report.Refused);
        Assert.Equal(0, report.Duplicates);
        return true;
    }

    /// <summary>A sync pass: own record, keychain in (and out when changed), every contact, then one mailbox page.</summary>
    private async Task<bool> SyncAsync(RunDevice device, string why)
    {
        await Op($"{device} {why}", () => device.Sdk.SyncAsync());
        device.CheckOwnRecord();
        device.TakeKeychain();
        if (device.KeychainDirty)
        {
            device.PushKeychain(device.OtherOwnDevices().Select(Live));
        }

        foreach (RunPerson contact in device.Contacts.Values.Select(c => c.Person).Distinct().OrderBy(p => p.Label, StringComparer.Ordinal))
        {
            device.Check(contact);
        }

        device.ReceivePage();
        return true;
    }

    private async Task<bool> CheckContactAsync(RunDevice device)
    {
        if (device.Contacts.Count == 0)
        {
            return false;
        }

        RunPerson contact = Pick(device.Contacts.Values.OrderBy(c => c.Person.Name, StringComparer.Ordinal).ToArray()).Person;
        HandleCheck check = await Op($"{device} check {contact}", () => device.Sdk.CheckHandleAsync(contact.Label));
        device.Check(contact);
        Assert.True(check.Usable, $"{device}'s check of {contact} did not pass: {string.Join("; ", check.Findings.Select(f => f.Detail))}");
        return true;
    }

    private async Task<bool> ChatDetailsAsync(RunDevice device)
    {
        if (device.Contacts.Count == 0)
        {
            return false;
        }

        RunPerson contact = Pick(device.Contacts.Values.OrderBy(c => c.Person.Name, StringComparer.Ordinal).ToArray()).Person;
        ChatDetails details = await Op($"{device} chat details {contact}", () => device.Sdk.ChatDetailsAsync(contact.Name));
        device.Check(contact);
        Assert.Equal((device.ExpectedStatus(contact), ""), (details.Status.Kind, string.Join(",", details.Status.Reasons)));
        return true;
    }

    private async Task<bool> MonitorContactsAsync(RunDevice device)
    {
        foreach (HandleCheck monitored in await Op($"{device} monitor contacts", () => device.Sdk.MonitorContactsAsync()))
        {
            Assert.Empty(monitored.Findings);
        }

        return true;
    }

    private async Task<bool> MonitorOwnHandlesAsync(RunDevice device)
    {
        Assert.Empty(await Op($"{device} monitor own handles", () => device.Sdk.MonitorOwnHandlesAsync()));
        return true;
    }

    /// <summary>The person copies a contact's current public code into the contact card (told face to face, say).</summary>
    private async Task<bool> SaveCodeAsync(RunDevice device)
    {
        Card[] unsaved = device.Contacts.Values.Where(c => c.CodeEpoch != c.Person.KeyEpoch).OrderBy(c => c.Person.Name, StringComparer.Ordinal).ToArray();
        if (unsaved.Length == 0)
        {
            return false;
        }

        RunPerson contact = Pick(unsaved).Person;
        Protocol.CodeMatch match = await Op($"{device} save the code of {contact}", () => device.Sdk.SetContactCodeAsync(contact.Name, contact.Codes[^1]));
        device.Check(contact);
        device.Contacts[contact.Name] = new Card(contact, contact.KeyEpoch);
        device.KeychainDirty = true;
        Assert.Equal(Protocol.CodeMatch.Match, match);
        return true;
    }

    private bool AddContact(RunDevice device)
    {
        RunPerson[] strangers = _people.Where(p => p != device.Owner && !device.Contacts.ContainsKey(p.Name)).ToArray();
        if (strangers.Length == 0)
        {
            return false;
        }

        RunPerson contact = Pick(strangers);
        Op($"{device} add contact {contact}", () => device.Sdk.AddContact(contact.Name, contact.Handle));
        device.Contacts[contact.Name] = new Card(contact, null);
        device.KeychainDirty = true;
        return true;
    }

    private async Task<bool> PushKeychainAsync(RunDevice device)
    {
        RunDevice[] recipients = device.OtherOwnDevices().Select(Live).ToArray();
        Assert.Equal(recipients.Length, await Op($"{device} push keychain", () => device.Sdk.PushKeychainAsync()));
        device.PushKeychain(recipients);
        return true;
    }

    private async Task<bool> ReceiveKeychainAsync(RunDevice device)
    {
        await Op($"{device} receive keychain", () => device.Sdk.ReceiveKeychainAsync());
        device.CheckOwnRecord();
        device.TakeKeychain();
        return true;
    }

    /// <summary>The device is put away for a while: it neither syncs nor acts, and comes back with a sync.</summary>
    private bool GoOffline(RunDevice device, int online)
    {
        if (online < 4)
        {
            return false;
        }

        device.OfflineUntil = _step + 30 + _random.Next(170);
        Note($"{device} offline until step {device.OfflineUntil}");
        return true;
    }

    private async Task BringBackOnlineAsync()
    {
        foreach (RunDevice device in LiveDevices.Where(d => d.OfflineUntil == _step).ToArray())
        {
            await SyncAsync(device, "back online: sync");
            Check(device);
        }
    }

    /// <summary>A new device joins the person's account, approved on this one (with the authenticator's code when the second factor is on).</summary>
    private async Task<bool> JoinAsync(RunDevice approver)
    {
        RunPerson person = approver.Owner;
        if (person.Devices.Count >= MaxDevicesPerPerson || _counts.GetValueOrDefault("join") >= MaxJoins)
        {
            return false;
        }

        RunDevice joiner = NewDevice(person, "tablet");
        string? secondFactor = person.TotpSecret is null ? null : await TotpAsync(person);
        string? shown = null, confirmed = null;
        Task<CkvDevice> joining = Op($"{joiner} join", () => CkvDevice.JoinAsync(
            joiner.Folder, new DeviceSetup(ProfileServer, person.Handle, joiner.Name, "tablet", "17.2"), secondFactor, code => shown = code, JoinTimeout, handler: _handler));
        await Op($"{approver} approve", () => approver.Sdk.ApproveAsync(null, code => (confirmed = code) is not null, JoinTimeout));
        CkvDevice joined = await joining;
        Assert.Equal(shown, confirmed);

        approver.CheckOwnRecord();
        joiner.Attach(joined);
        person.Devices.Add(joiner);
        approver.CheckOwnRecord();
        approver.Circle.Add(joiner.Id);
        joiner.Joined(approver);
        approver.PushKeychain(approver.OtherOwnDevices().Where(id => id != joiner.Id).Select(Live));
        Count("join");
        Check(joiner);
        return true;
    }

    /// <summary>A device the person holds leaves the account: signed out on itself, or from another of their devices.</summary>
    private async Task<bool> SignOutInHandAsync(RunDevice device)
    {
        RunPerson person = device.Owner;
        if (person.Devices.Count < 2)
        {
            return false;
        }

        bool self = _random.Next(2) == 0;
        RunDevice leaving = self ? device : Pick(person.Devices.Where(d => d != device).ToArray());
        SignedOut signedOut = await Op($"{device} sign out {leaving}", () => device.Sdk.SignOutAsync(self ? null : leaving.Id, lost: false));
        Assert.False(signedOut.Rotated);
        device.CheckOwnRecord();
        Remove(leaving);
        if (!self)
        {
            device.CheckOwnRecord();
            device.Circle.Remove(leaving.Id);
            device.PushKeychain(device.OtherOwnDevices().Select(Live));
        }

        Count("sign out in hand");
        return true;
    }

    /// <summary>
    /// A device is lost: another device of the person removes it, which rotates the account key. Every other
    /// remaining device proves the new key when it syncs, so the person brings them online and they sync until the
    /// rotation is published; contacts who saved the old code are told it changed when they next look.
    /// </summary>
    private async Task<bool> SignOutLostAsync(RunDevice device)
    {
        RunPerson person = device.Owner;
        if (person.Devices.Count < 2)
        {
            return false;
        }

        RunDevice lost = Pick(person.Devices.Where(d => d != device).ToArray());
        RunDevice[] answering = person.Devices.Where(d => d != device && d != lost).ToArray();
        foreach (RunDevice other in answering)
        {
            await ComeOnlineAndDrainAsync(other);
            other.Blobs.Add(new RotationRequest(device, person.KeyEpoch + 1, lost));
        }

        Task<SignedOut> rotation = Op($"{device} sign out {lost} as lost", () => device.Sdk.SignOutAsync(lost.Id, lost: true, JoinTimeout));
        while (!rotation.IsCompleted && answering.Length > 0)
        {
            foreach (RunDevice other in answering)
            {
                await Op($"{other} sync to answer the rotation", () => other.Sdk.SyncAsync());
            }

            await Task.WhenAny(rotation, Task.Delay(100));
        }

        SignedOut signedOut = await rotation;
        Assert.True(signedOut.Rotated);

        // Before publishing, every answering device took its keychain blobs (the rotation request among them).
        foreach (RunDevice other in answering)
        {
            other.TakeKeychain();
        }

        device.CheckOwnRecord();
        Remove(lost);
        person.Codes.Add(device.Sdk.PublicVerificationCode);
        device.HeldKeyEpoch = person.KeyEpoch;
        device.CheckOwnRecord();
        device.Circle.Remove(lost.Id);
        device.PushKeychain(device.OtherOwnDevices().Select(Live));
        foreach (RunDevice other in answering)
        {
            await SyncAsync(other, "sync after the rotation");
            Check(other);
        }

        Assert.All(person.Devices, d => Assert.Equal(person.Codes[^1], d.Sdk.PublicVerificationCode));
        Count("sign out lost");
        return true;
    }

    /// <summary>CKV off for a person who has it on; on (with the second factor turned on first, if needed) otherwise.</summary>
    private async Task<bool> ToggleCkvAsync(RunDevice device)
    {
        RunPerson person = device.Owner;
        bool on = !person.CkvOn;
        if (on && person.TotpSecret is null)
        {
            TwoFactorEnrollment enrollment = await Op($"{device} begin second factor", () => device.Sdk.BeginTwoFactorAsync());
            person.TotpSecret = enrollment.Secret;
            string code = await TotpAsync(person);
            await Op($"{device} confirm second factor", () => device.Sdk.ConfirmTwoFactorAsync(code));
        }

        await Op($"{device} CKV {(on ? "on" : "off")}", () => device.Sdk.SetVerificationAsync(on));
        device.CheckOwnRecord();
        Assert.True(person.Devices.All(d => device.Circle.Contains(d.Id)), $"{device}'s circle misses a device of its account; the record would lose it");
        person.CkvOn = on;
        device.CheckOwnRecord();
        Count(on ? "CKV on" : "CKV off");
        return true;
    }

    // Restarts.

    private async Task StartServerAndAuditorAsync()
    {
        (int exit, _, string error) = await ServerProcess.RunCommandAsync("auditor", "init", "--data", _auditorData.Path);
        Assert.True(exit == 0, error);
        string auditorKey = (await File.ReadAllTextAsync(Path.Combine(_auditorData.Path, "auditor.pub"))).Trim();
        (exit, _, error) = await ServerProcess.RunCommandAsync("server", "init", "--data", _serverData.Path, "--auditor-key", auditorKey, "--max-lifetime-days", "1");
        Assert.True(exit == 0, error);
        _server = await ServerProcess.StartAsync(_serverData.Path, ServerArguments);
        _handler = new MovableServerHandler(_server.Address);
        _auditor = await ServerProcess.StartAuditorAsync(_server.Address, _auditorData.Path, "--poll-ms", "100");
        await AuditorCaughtUpAsync();
    }

    /// <summary>
    /// The server stops (SIGTERM) and starts again on its data folder; its auditor follows it to its new address.
    /// While it is down, devices that look at a contact they verified keep the last verified state (the grace period).
    /// </summary>
    private async Task RestartServerAsync()
    {
        Note("server restart");
        Assert.Equal(0, await _server!.TerminateAsync());
        foreach (RunDevice device in LiveDevices.Where(d => d.Online(_step) && d.Seen.Count > 0).Take(4).ToArray())
        {
            string label = device.Seen.Keys.Order(StringComparer.Ordinal).First();
            HandleCheck check = await Op($"{device} check {label} while the server is down", () => device.Sdk.CheckHandleAsync(label));
            Assert.False(check.Reachable);
            Assert.Empty(check.Findings);
            Check(device);
        }

        _server.Dispose();
        _server = await ServerProcess.StartAsync(_serverData.Path, ServerArguments);
        _handler!.Target = _server.Address;
        await RestartAuditorAsync();
        Count("server restart");
    }

    private async Task RestartAuditorAsync()
    {
        Note("auditor restart");
        Assert.Equal(0, await _auditor!.TerminateAsync());
        _auditor.Dispose();
        _auditor = await ServerProcess.StartAuditorAsync(_server!.Address, _auditorData.Path, "--poll-ms", "100");
        Assert.Contains(_auditor.Lines, l => l.StartsWith("resumed at tree size ", StringComparison.Ordinal));
        await AuditorCaughtUpAsync();
        Count("auditor restart");
    }

    /// <summary>Waits until the auditor signed a head covering the whole log.</summary>
    private async Task AuditorCaughtUpAsync()
    {
        ulong size = (await _server!.Http.GetFromJsonAsync<LogInfoMessage>(new Uri("/v1/log/", UriKind.Relative)))!.TreeSize;
        for (int i = 0; i < 300; i++)
        {
            using HttpResponseMessage response = await _auditor!.Http.GetAsync(new Uri("/v1/head", UriKind.Relative));
            if (response.IsSuccessStatusCode && TlsCodec.Decode<AuditorTreeHead>(await response.Content.ReadAsByteArrayAsync()).TreeSize >= size)
            {
                return;
            }

            await Task.Delay(100);
        }

        Assert.Fail($"the auditor did not reach the log's {size} entries: {string.Join('\n', _auditor!.Lines)}");
    }

    private async Task StopServerAndAuditorAsync()
    {
        Assert.Equal(0, await _auditor!.TerminateAsync());
        Assert.False(File.Exists(Path.Combine(_auditorData.Path, "alarm.json")), "the auditor raised an alarm");
        Assert.Equal(0, await _server!.TerminateAsync());
    }

    // The end of the run.

    /// <summary>Every device comes online and syncs until no keychain blob, keychain change or message is left anywhere.</summary>
    private async Task SettleAsync()
    {
        for (int round = 0; round < 5 && LiveDevices.Any(d => d.Blobs.Count > 0 || d.KeychainDirty || d.Mailbox.Count > 0 || round == 0); round++)
        {
            foreach (RunDevice device in LiveDevices.ToArray())
            {
                device.OfflineUntil = -1;
                await ComeOnlineAndDrainAsync(device);
                Check(device);
            }
        }

        Assert.All(LiveDevices, d => Assert.True(d.Blobs.Count == 0 && d.Mailbox.Count == 0 && !d.KeychainDirty, $"{d} has not settled"));
    }

    /// <summary>
    /// At the end everyone has CKV on but the last person, so that the chats show every status the codes and states
    /// lead to: Verified where the saved code is the contact's current one, Verify Contact where it is older or none,
    /// Verification Off with the last person, and Turn On CKV on the last person's devices.
    /// </summary>
    private async Task EveryoneButOneTurnsCkvOnAsync()
    {
        foreach (RunPerson person in _people)
        {
            if (person.CkvOn != (person != _people[^1]))
            {
                await ToggleCkvAsync(person.Devices[0]);
                Check(person.Devices[0]);
            }
        }
    }

    private async Task ComeOnlineAndDrainAsync(RunDevice device)
    {
        device.OfflineUntil = Math.Min(device.OfflineUntil, _step);
        await SyncAsync(device, "sync");
        while (device.Mailbox.Count > 0)
        {
            await ReceiveAsync(device);
        }
    }

    /// <summary>Each device's chat with each of its contacts shows what the schedule leads to.</summary>
    private async Task CheckChatStatusesAsync()
    {
        foreach (RunDevice device in LiveDevices)
        {
            foreach (RunPerson contact in device.Contacts.Values.Select(c => c.Person).OrderBy(p => p.Name, StringComparer.Ordinal))
            {
                ChatDetails details = await Op($"{device} chat details {contact}", () => device.Sdk.ChatDetailsAsync(contact.Name));
                device.Check(contact);
                Assert.Equal((device.ExpectedStatus(contact), ""), (details.Status.Kind, string.Join(",", details.Status.Reasons)));
                _finalStatuses.Add(details.Status.Kind);
            }
        }
    }

    // Checks against the model.

    private void CheckEveryDevice()
    {
        foreach (RunDevice device in LiveDevices)
        {
            Check(device);
        }
    }

    /// <summary>
    /// The device raised no warning, and exactly the notifications the model expects; it showed exactly the messages
    /// the model says it accepted since the last look, each once.
    /// </summary>
    private static void Check(RunDevice device)
    {
        IReadOnlyList<Alert> alerts = device.Sdk.Alerts();
        Alert[] warnings = alerts.Where(a => a.Severity == AlertSeverity.Warning).ToArray();
        Assert.True(warnings.Length == 0, $"{device} raised warnings: {string.Join("; ", warnings.Select(w => $"{w.Code} {w.Label}: {w.Detail}"))}");
        string[] notices = alerts.Select(a => $"{a.Code} {a.Label}").Order(StringComparer.Ordinal).ToArray();
        string[] expected = device.Notices.Order(StringComparer.Ordinal).ToArray();
        Assert.True(
            expected.SequenceEqual(notices),
            $"{device}: expected notifications [{string.Join(", ", expected)}], got [{string.Join("; ", alerts.Select(a => $"{a.Code} {a.Label}: {a.Detail}"))}]");

        ChatMessage[] shown = device.Sdk.TakeNewMessages().ToArray();
        Assert.True(
            device.Arrived.SequenceEqual(shown),
            $"{device}: expected messages [{string.Join("; ", device.Arrived)}], got [{string.Join("; ", shown)}]");
        device.Arrived.Clear();
    }

    // Helpers.

    private RunDevice NewDevice(RunPerson person, string kind)
    {
        int number = ++person.DevicesEver;
        return new RunDevice(person, $"{person}'s {kind} {number}", Path.Combine(_profiles.Path, $"{person.Name.ToLowerInvariant()}-{number}"));
    }

    /// <summary>The live device with this id: a push or a copy to a device that left the account is a refusal.</summary>
    private RunDevice Live(string id) =>
        LiveDevices.SingleOrDefault(d => d.Id == id) ?? throw new InvalidOperationException($"device {id} is in a device's view of its own account but signed out");

    /// <summary>The text with each device id followed by the device's name.</summary>
    private string WithDeviceNames(string text) =>
        LiveDevices.Concat(_removed).Where(d => d.Id.Length > 0).Aggregate(text, (t, d) => t.Replace(d.Id, $"{d.Id} ({d})", StringComparison.Ordinal));

    private void Remove(RunDevice device)
    {
        device.Owner.Devices.Remove(device);
        _removed.Add(device);
        device.Sdk.Dispose();
    }

    /// <summary>The authenticator's code for the next step the server has not seen used (each is taken once).</summary>
    private static async Task<string> TotpAsync(RunPerson person)
    {
        var totp = new OtpNet.Totp(OtpNet.Base32Encoding.ToBytes(person.TotpSecret));
        while (true)
        {
            long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds() / 30;
            long step = Math.Max(person.LastTotpStep + 1, now);
            if (step <= now + 1)
            {
                person.LastTotpStep = step;
                return totp.ComputeTotp(DateTimeOffset.FromUnixTimeSeconds(step * 30).UtcDateTime);
            }

            await Task.Delay(1000);
        }
    }

    private T Pick<T>(IReadOnlyList<T> items) => items[_random.Next(items.Count)];

    private async Task<T> Op<T>(string what, Func<Task<T>> call)
    {
        _operations++;
        Note(what);
        return await call();
    }

    private async Task Op(string what, Func<Task> call)
    {
        _operations++;
        Note(what);
        await call();
    }

    private T Op<T>(string what, Func<T> call)
    {
        _operations++;
        Note(what);
        return call();
    }

    private void Note(string what)
    {
        _recent.Enqueue($"{_step}: {what}");
        if (_recent.Count > 40)
        {
            _recent.Dequeue();
        }
    }

    private int Count(string what) => _counts[what] = _counts.GetValueOrDefault(what) + 1;

    public void Dispose()
    {
        foreach (RunDevice device in LiveDevices)
        {
            device.Sdk?.Dispose();
        }

        _auditor?.Dispose();
        _server?.Dispose();
        _handler?.Dispose();
        _profiles.Dispose();
        _auditorData.Dispose();
        _serverData.Dispose();
    }
}
