using Microsoft.AspNetCore.Mvc;
using OpenCkv.Protocol;
using OpenCkv.Protocol.Api;

namespace OpenCkv.Web.Pages.Device;

/// <summary>Settings › Contact Key Verification: the switch with its requirements, and the public verification code.</summary>
public sealed class SettingsModel(ProfileDevices devices) : DevicePage(devices)
{
    /// <summary>"on" or "off" while the confirmation shows.</summary>
    [BindProperty(SupportsGet = true)]
    public string? Confirm { get; set; }

    /// <summary>Whether the code was asked for.</summary>
    public bool ShowCode { get; private set; }

    /// <summary>Whether the account's own verified record has CKV on.</summary>
    public bool On { get; private set; }

    /// <summary>The account's handle.</summary>
    public string Handle { get; private set; } = string.Empty;

    /// <summary>What stands in the way of turning it on, device by device, with the way out.</summary>
    public IReadOnlyList<BlockerMessage> Blockers { get; private set; } = [];

    /// <summary>The public verification code, grouped for reading.</summary>
    public string? Code { get; private set; }

    /// <summary>The code as a QR code (SVG).</summary>
    public string? Qr { get; private set; }

    /// <summary>Shows the switch, the requirements while off, and the code when asked.</summary>
    public Task<IActionResult> OnGetAsync(string? code) => ShowAsync(async device =>
    {
        Handle = device.Label;
        On = device.OwnCkvOn;
        if (!On)
        {
            Blockers = (await device.RequirementsAsync(HttpContext.RequestAborted).ConfigureAwait(false)).Blockers;
        }

        if (code == "show")
        {
            ShowCode = true;
            Code = PublicCode.Format(device.PublicVerificationCode);
            Qr = QrSvg.Of(device.PublicVerificationCode);
        }
    });

    /// <summary>"Continue": turns CKV on (every requirement checked first) or off, for all the account's devices.</summary>
    public Task<IActionResult> OnPostSwitchAsync(bool on) => ChangeAsync(
        async device =>
        {
            await device.SetVerificationAsync(on, HttpContext.RequestAborted).ConfigureAwait(false);
            return on ? "Contact Key Verification is on for all your devices." : "Contact Key Verification is off.";
        },
        Here("/settings"));
}
