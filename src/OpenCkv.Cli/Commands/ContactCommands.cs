using OpenCkv.Client;
using OpenCkv.Client.Alerts;
using OpenCkv.Client.Profiles;
using OpenCkv.Client.Verification;
using OpenCkv.Protocol;

namespace OpenCkv.Cli.Commands;

/// <summary>`ckv code …`, `ckv contacts …`, `ckv chat details`, `ckv alerts`, `ckv sync` and `ckv monitor` (DESIGN §9).</summary>
internal static class ContactCommands
{
    public static Task<int> CodeAsync(IReadOnlyList<string> args) => DeviceRunner.RunAsync("code", "code show [--qr] | code copy", args, a => DeviceRunner.WithDeviceAsync(a, device =>
    {
        string code = device.PublicVerificationCode;
        switch (a.Positionals)
        {
            case ["copy"]:
                Console.WriteLine(code);
                return Task.FromResult(0);
            case ["show"]:
                if (a.Json)
                {
                    Output.Json(new { code, grouped = PublicCode.Format(code) });
                    return Task.FromResult(0);
                }

                Console.WriteLine($"Your public verification code: {PublicCode.Format(code)}");
                if (a.Flag("--qr"))
                {
                    Console.WriteLine(TerminalQr.Render(code));
                }

                return Task.FromResult(0);
            default:
                throw new UsageException("say show or copy");
        }
    }, words => words is ["show"] or ["copy"]));

    public static Task<int> ContactsAsync(IReadOnlyList<string> args) => DeviceRunner.RunAsync(
        "contacts", "contacts add NAME HANDLE | contacts list | contacts set-code NAME CODE", args, a => DeviceRunner.WithDeviceAsync(a, async device =>
        {
            switch (a.Positionals)
            {
                case ["add", var name, var handle]:
                    ContactEntry added = device.AddContact(name, handle);
                    Console.WriteLine($"saved {added.Name} ({added.Label})");
                    return 0;
                case ["list"]:
                    IReadOnlyList<ContactEntry> contacts = device.Contacts();
                    if (a.Json)
                    {
                        Output.Json(new { contacts = contacts.Select(c => new { name = c.Name, handle = c.Label, code = c.SavedCode, status = device.StatusOf(c).Kind.ToString() }) });
                        return 0;
                    }

                    foreach (ContactEntry c in contacts)
                    {
                        Console.WriteLine($"{Badge.Name(c.Name, device.StatusOf(c))}  {c.Label}");
                    }

                    return 0;
                case ["set-code", var name, var code]:
                    CodeMatch match = await device.SetContactCodeAsync(name, code).ConfigureAwait(false);
                    if (match == CodeMatch.Match)
                    {
                        Console.WriteLine($"saved: the code matches {name}'s verified account key");
                    }
                    else
                    {
                        Console.WriteLine($"saved, but the code does not match the key the server presents for {name}: no checkmark will show. You may not be talking to the person you think.");
                    }

                    return 0;
                case ["set-code", ..]:
                    throw new UsageException("contacts set-code NAME CODE (quote a grouped code)");
                default:
                    throw new UsageException("say add, list or set-code");
            }
        }, words => words is ["add", _, _] or ["list"] or ["set-code", _, _]));

    public static Task<int> ChatDetailsAsync(IReadOnlyList<string> args) => DeviceRunner.RunAsync("chat details", "chat details NAME [--json]", args, a => DeviceRunner.WithDeviceAsync(a, async device =>
    {
        if (a.Positionals is not [var name])
        {
            throw new UsageException("name one contact");
        }

        ChatDetails details = await device.ChatDetailsAsync(name).ConfigureAwait(false);
        if (a.Json)
        {
            Output.Json(new { contact = details.Contact.Name, status = details.Status.Kind.ToString(), reasons = details.Status.Reasons, pinnedVersion = details.Check.Pin?.Record.Version });
            return 0;
        }

        Console.WriteLine(Badge.Line(details.Contact.Name, details.Status));
        foreach (Alert warning in device.Alerts(unacknowledgedOnly: true).Where(w => w.Label == details.Contact.Label && w.Severity == AlertSeverity.Warning))
        {
            Console.WriteLine($"  warning {warning.Id} [{warning.Code}]: {warning.Detail}");
        }

        return 0;
    }, words => words.Count == 1));

    public static Task<int> AlertsAsync(IReadOnlyList<string> args) => DeviceRunner.RunAsync("alerts", "alerts [--ack ID] [--json]", args, a => DeviceRunner.WithDeviceAsync(a, device =>
    {
        if (a.Option("--ack") is { } ack)
        {
            if (!long.TryParse(ack, System.Globalization.CultureInfo.InvariantCulture, out long id))
            {
                throw new UsageException("--ack takes an alert id");
            }

            device.Acknowledge(id);
            Console.WriteLine($"acknowledged alert {id}");
            return Task.FromResult(0);
        }

        IReadOnlyList<Alert> alerts = device.Alerts();
        var names = device.Contacts().GroupBy(c => c.Label).ToDictionary(g => g.Key, g => g.First().Name, StringComparer.Ordinal);
        if (a.Json)
        {
            Output.Json(new
            {
                alerts = alerts.Select(x => new
                {
                    id = x.Id,
                    time = DateTimeOffset.FromUnixTimeMilliseconds((long)x.TimeMs),
                    severity = x.Severity == AlertSeverity.Warning ? "warning" : "notification",
                    code = x.Code,
                    handle = x.Label,
                    contact = x.Label is null ? null : names.GetValueOrDefault(x.Label),
                    detail = x.Detail,
                    acknowledged = x.Acknowledged,
                }),
            });
            return Task.FromResult(0);
        }

        if (alerts.Count == 0)
        {
            Console.WriteLine("no alerts");
        }

        foreach (Alert x in alerts)
        {
            string who = x.Label is null ? "your account" : names.GetValueOrDefault(x.Label) ?? x.Label;
            string state = x.Acknowledged ? " (acknowledged)" : string.Empty;
            Console.WriteLine($"{x.Id,4}  {DateTimeOffset.FromUnixTimeMilliseconds((long)x.TimeMs):u}  {(x.Severity == AlertSeverity.Warning ? "WARNING" : "notice ")}  {who}  [{x.Code}] {x.Detail}{state}");
        }

        return Task.FromResult(0);
    }));

    public static Task<int> SyncAsync(IReadOnlyList<string> args, bool monitorOnly) => DeviceRunner.RunAsync(
        monitorOnly ? "monitor" : "sync", monitorOnly ? "monitor [--watch]" : "sync", args, a => DeviceRunner.WithDeviceAsync(a, async device =>
        {
            do
            {
                SyncReport report = await device.SyncAsync(fetchMail: !monitorOnly).ConfigureAwait(false);
                if (a.Json)
                {
                    Output.Json(new
                    {
                        handlesChecked = report.HandlesChecked,
                        messagesReceived = report.MessagesReceived,
                        findings = report.Findings.Select(f => new { code = f.Code, severity = f.IsWarning ? "warning" : "notification", detail = f.Detail }),
                    });
                }
                else
                {
                    foreach (Finding finding in report.Findings)
                    {
                        Console.WriteLine($"{(finding.IsWarning ? "WARNING" : "notice")} [{finding.Code}] {finding.Detail}");
                    }

                    Console.WriteLine($"checked {report.HandlesChecked} handles; {report.Findings.Count(f => f.IsWarning)} warnings; {report.MessagesReceived} new messages");
                }
                if (a.Flag("--watch"))
                {
                    await Task.Delay(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
                }
            }
            while (a.Flag("--watch"));
            return 0;
        }));
}
