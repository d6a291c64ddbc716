using Microsoft.AspNetCore.Mvc;
using OpenCkv.Client.Profiles;
using OpenCkv.Client.Verification;

namespace OpenCkv.Web.Pages.Device;

/// <summary>The contact list with each contact's checkmark or warning, and adding a contact.</summary>
public sealed class ContactsModel(ProfileDevices devices) : DevicePage(devices)
{
    /// <summary>Each contact with its status.</summary>
    public IReadOnlyList<(ContactEntry Contact, ChatStatus Status)> Rows { get; private set; } = [];

    /// <summary>Lists the contacts.</summary>
    public Task<IActionResult> OnGetAsync() => ShowAsync(device =>
    {
        Rows = device.Contacts().Select(c => (c, device.StatusOf(c))).ToArray();
        return Task.CompletedTask;
    });

    /// <summary>Adds a contact by name and handle.</summary>
    public Task<IActionResult> OnPostAddAsync(string name, string handle) => ChangeAsync(
        device =>
        {
            ContactEntry added = device.AddContact(name?.Trim() ?? string.Empty, handle?.Trim() ?? string.Empty);
            return Task.FromResult($"Saved {added.Name} ({added.Label}).");
        },
        Here("/contacts"));
}
