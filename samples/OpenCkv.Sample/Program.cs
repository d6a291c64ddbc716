// A messaging app with its own end-to-end encryption (Signal protocol, MLS…) keeps using it; before it encrypts to a
// contact, it asks OpenCKV which device keys the key transparency log proves for that contact, and what to show.
//
//   dotnet run --project samples/OpenCkv.Sample -- PROFILE-FOLDER CONTACT-NAME
//
// PROFILE-FOLDER is a device profile made by `ckv device register` ($CKV_HOME/profiles/NAME).
using OpenCkv.Client;
using OpenCkv.Client.Verification;

if (args is not [var folder, var contactName])
{
    Console.Error.WriteLine("usage: OpenCkv.Sample PROFILE-FOLDER CONTACT-NAME");
    return 2;
}

try
{
    using CkvDevice device = CkvDevice.Open(folder);
    VerifiedContact contact = await device.VerifiedContactAsync(contactName).ConfigureAwait(false);
    Console.WriteLine($"{contact.Contact.Name} ({contact.Contact.Label}): {Describe(contact.Status)}");
    if (contact.Devices.Count == 0)
    {
        // No verified keys: the app must not encrypt to this contact now.
        Console.WriteLine("no verified devices: do not encrypt to this contact now");
        return 1;
    }

    foreach (VerifiedDeviceKeys keys in contact.Devices)
    {
        // The app ties its own identity key for this device to keys.SigningKey (for example a signature over it),
        // and encrypts only to devices it could tie.
        Console.WriteLine($"device {Convert.ToHexStringLower(keys.DeviceId)}: signing key {Convert.ToHexStringLower(keys.SigningKey)[..16]}…");
    }

    return 0;
}
catch (CkvException e)
{
    Console.Error.WriteLine(e.Message);
    return 1;
}

static string Describe(ChatStatus status) => status.Kind switch
{
    ChatStatusKind.TurnOnCkv => "turn on Contact Key Verification to see a status",
    ChatStatusKind.VerificationOff => "the contact has Contact Key Verification off",
    ChatStatusKind.VerifyContact => "keys verified automatically; not yet verified by code",
    ChatStatusKind.Verified => "verified ✓",
    _ => "WARNING: " + string.Join(", ", status.Reasons),
};
