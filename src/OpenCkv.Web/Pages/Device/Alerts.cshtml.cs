using Microsoft.AspNetCore.Mvc;
using OpenCkv.Client.Alerts;

namespace OpenCkv.Web.Pages.Device;

/// <summary>The alerts: warnings and notifications, newest first; a warning stays until the person acknowledges it.</summary>
public sealed class AlertsModel(ProfileDevices devices) : DevicePage(devices)
{
    /// <summary>The alerts.</summary>
    public IReadOnlyList<Alert> Items { get; private set; } = [];

    /// <summary>Lists the alerts.</summary>
    public Task<IActionResult> OnGetAsync() => ShowAsync(device =>
    {
        Items = device.Alerts().OrderByDescending(a => a.TimeMs).ThenByDescending(a => a.Id).ToArray();
        return Task.CompletedTask;
    });

    /// <summary>Acknowledges one alert.</summary>
    public Task<IActionResult> OnPostAcknowledgeAsync(long id) => ChangeAsync(
        device =>
        {
            device.Acknowledge(id);
            return Task.FromResult("Acknowledged.");
        },
        Here("/alerts"));
}
