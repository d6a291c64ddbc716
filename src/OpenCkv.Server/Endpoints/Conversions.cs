using OpenCkv.Directory.Devices;
using OpenCkv.Directory.Publishing;
using OpenCkv.Protocol.Api;
using OpenCkv.Server.Http;

namespace OpenCkv.Server.Endpoints;

/// <summary>Between the API's JSON messages and the directory's types.</summary>
internal static class Conversions
{
    public static string Hex(byte[] id) => Convert.ToHexStringLower(id);

    public static DeviceFacts Facts(DeviceFactsMessage? message)
    {
        if (message is null)
        {
            throw new BadInputException("'device' facts are required.");
        }

        if (string.IsNullOrWhiteSpace(message.Name) || message.Name.Length > DeviceFacts.MaxNameLength || message.Name.Any(char.IsControl))
        {
            throw new BadInputException($"A device name is 1 to {DeviceFacts.MaxNameLength} printable characters.");
        }

        if (!PlatformNames.TryParse(message.Platform, out Platform platform))
        {
            throw new BadInputException("platform is one of phone, tablet, watch, desktop, headset.");
        }

        if (!SoftwareMinimums.TryParseVersion(message.SoftwareVersion, out Version version))
        {
            throw new BadInputException("softwareVersion is a dotted version such as 17.2.");
        }

        if (message.ProtocolVersion is < 1 or > 1000)
        {
            throw new BadInputException("protocolVersion is a small positive number.");
        }

        return new DeviceFacts(message.Name, platform, version, message.ProtocolVersion, message.Passcode, message.Keychain);
    }

    public static DeviceFactsMessage Message(DeviceFacts facts) =>
        new(facts.Name, PlatformNames.Name(facts.Platform), facts.SoftwareVersion.ToString(), facts.ProtocolVersion, facts.Passcode, facts.Keychain);

    public static ChangeReceiptMessage Message(ChangeReceipt receipt) => new(receipt.Position, receipt.Versions);

    public static BlockerMessage Message(Blocker blocker) =>
        new(ProblemMiddleware.Kebab(blocker.Reason.ToString()), blocker.DeviceId is null ? null : Hex(blocker.DeviceId), blocker.DeviceName, blocker.WayOut);
}
