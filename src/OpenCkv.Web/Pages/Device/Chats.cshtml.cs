using Microsoft.AspNetCore.Mvc;
using OpenCkv.Client.Profiles;
using OpenCkv.Client.Verification;

namespace OpenCkv.Web.Pages.Device;

/// <summary>The conversations: every contact with its status as the device last verified it.</summary>
public sealed class ChatsModel(ProfileDevices devices) : DevicePage(devices)
{
    /// <summary>Each contact with its status.</summary>
    public IReadOnlyList<(ContactEntry Contact, ChatStatus Status)> Rows { get; private set; } = [];

    /// <summary>Lists the conversations.</summary>
    public Task<IActionResult> OnGetAsync() => ShowAsync(device =>
    {
        Rows = device.Contacts().Select(c => (c, device.StatusOf(c))).ToArray();
        return Task.CompletedTask;
    });
}
