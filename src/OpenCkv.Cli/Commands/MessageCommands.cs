using OpenCkv.Client;
using OpenCkv.Client.Profiles;

namespace OpenCkv.Cli.Commands;

/// <summary>`ckv send NAME TEXT` and `ckv inbox` (DESIGN §6, §9).</summary>
internal static class MessageCommands
{
    public static Task<int> SendAsync(IReadOnlyList<string> args) => DeviceRunner.RunAsync("send", "send NAME TEXT", args, a => DeviceRunner.WithDeviceAsync(a, async device =>
    {
        if (a.Positionals is not [var name, var text])
        {
            throw new UsageException("name one contact and one text (quote it)");
        }

        SendReport sent = await device.SendAsync(name, text).ConfigureAwait(false);
        ContactEntry contact = device.Contact(name);
        if (a.Json)
        {
            Output.Json(new { contact = contact.Name, status = device.StatusOf(contact).Kind.ToString(), contactDevices = sent.ContactDevices, ownDevices = sent.OwnDevices, counter = sent.Counter });
        }
        else
        {
            Console.WriteLine($"to {Badge.Name(contact.Name, device.StatusOf(contact))}: sent to {sent.ContactDevices} of their devices and {sent.OwnDevices} of yours");
        }

        return 0;
    }, words => words.Count == 2));

    public static Task<int> InboxAsync(IReadOnlyList<string> args) => DeviceRunner.RunAsync("inbox", "inbox [--json]", args, a => DeviceRunner.WithDeviceAsync(a, async device =>
    {
        ReceiveReport report = await device.ReceiveAsync().ConfigureAwait(false);
        IReadOnlyList<ChatMessage> fresh = device.TakeNewMessages(); // also those a `ckv verify` took in meanwhile
        var contacts = device.Contacts().GroupBy(c => c.Label).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        string Who(string label) => contacts.TryGetValue(label, out ContactEntry? c) ? Badge.Name(c.Name, device.StatusOf(c)) : label;
        if (a.Json)
        {
            Output.Json(new
            {
                messages = fresh.Select(m => new
                {
                    handle = m.Label,
                    contact = contacts.TryGetValue(m.Label, out ContactEntry? c) ? c.Name : null,
                    status = contacts.TryGetValue(m.Label, out ContactEntry? s) ? device.StatusOf(s).Kind.ToString() : null,
                    outgoing = m.Outgoing,
                    text = m.Text,
                    device = m.Device,
                }),
                refused = report.Refused,
                duplicates = report.Duplicates,
            });
            return 0;
        }

        foreach (ChatMessage m in fresh)
        {
            Console.WriteLine(m.Outgoing ? $"you (another device) to {Who(m.Label)}: {m.Text}" : $"from {Who(m.Label)}: {m.Text}");
        }

        if (report.Refused > 0)
        {
            Console.WriteLine($"{report.Refused} messages refused: their senders' devices could not be verified (see `ckv alerts`)");
        }

        if (fresh.Count == 0 && report.Refused == 0)
        {
            Console.WriteLine("no new messages");
        }

        return 0;
    }));
}
