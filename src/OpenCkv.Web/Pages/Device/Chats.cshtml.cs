using Microsoft.AspNetCore.Mvc;
using OpenCkv.Client;
using OpenCkv.Client.Profiles;
using OpenCkv.Client.Verification;

namespace OpenCkv.Web.Pages.Device;

/// <summary>The conversations: each contact with its status as the device last verified it, and the last message.</summary>
public sealed class ChatsModel(ProfileDevices devices) : DevicePage(devices)
{
    /// <summary>One conversation as the list shows it.</summary>
    public sealed record Row(ContactEntry Contact, ChatStatus Status, ChatMessage? Last);

    /// <summary>The conversations.</summary>
    public IReadOnlyList<Row> Rows { get; private set; } = [];

    /// <summary>Lists the conversations.</summary>
    public Task<IActionResult> OnGetAsync() => ShowAsync(device =>
    {
        Rows = device.Contacts().Select(c => new Row(c, device.StatusOf(c), device.Conversation(c.Name) is [.., var last] ? last : null)).ToArray();
        return Task.CompletedTask;
    });
}
