using Microsoft.AspNetCore.Mvc;
using OpenCkv.Client;
using OpenCkv.Client.Alerts;
using OpenCkv.Client.Profiles;
using OpenCkv.Client.Verification;

namespace OpenCkv.Web.Pages.Device;

/// <summary>
/// A conversation: the mailbox is fetched and the contact verified each time the thread opens, so the header shows
/// the status the device found just now, with the contact's warnings in the thread.
/// </summary>
public sealed class ChatModel(ProfileDevices devices) : DevicePage(devices)
{
    /// <summary>The contact's name.</summary>
    [BindProperty(SupportsGet = true)]
    public string Name { get; set; } = string.Empty;

    /// <summary>The contact's status, from the check made as the thread opened.</summary>
    public ChatStatus? Status { get; private set; }

    /// <summary>The contact's warnings not acknowledged yet.</summary>
    public IReadOnlyList<Alert> Warnings { get; private set; } = [];

    /// <summary>The thread, oldest first.</summary>
    public IReadOnlyList<ChatMessage> Messages { get; private set; } = [];

    /// <summary>Fetches new messages, verifies the contact, shows the thread.</summary>
    public Task<IActionResult> OnGetAsync() => ShowAsync(async device =>
    {
        try
        {
            await device.ReceiveAsync(HttpContext.RequestAborted).ConfigureAwait(false);
            ChatDetails details = await device.ChatDetailsAsync(Name, HttpContext.RequestAborted).ConfigureAwait(false);
            Status = details.Status;
        }
        finally
        {
            // Whatever the server did, what the device already holds is shown.
            ContactEntry contact = device.Contact(Name);
            Messages = device.Conversation(Name);
            Warnings = device.Alerts(unacknowledgedOnly: true).Where(a => a.Label == contact.Label && a.Severity == AlertSeverity.Warning).ToArray();
            Status ??= device.StatusOf(contact);
        }
    });

    /// <summary>Sends an end-to-end encrypted message to the contact's verified devices (and this account's others).</summary>
    public Task<IActionResult> OnPostSendAsync(string text) => ChangeAsync(
        async device =>
        {
            SendReport sent = await device.SendAsync(Name, text ?? string.Empty, HttpContext.RequestAborted).ConfigureAwait(false);
            return $"Sent, encrypted to {sent.ContactDevices} device(s) of {Name}.";
        },
        Here("/chat/" + Uri.EscapeDataString(Name)));
}
