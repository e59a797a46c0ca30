; Inno Setup script for the Windows installer. Build the one-folder app first:
;   pyinstaller --noconfirm packaging\ttcplanner.spec      (makes dist\ttcplanner\)
; then:  iscc /DAppVersion=0.1.0 packaging\windows\ttcplanner.iss
; Output: dist\ttcplanner-<version>-windows-x64-setup.exe. Per-user install (no admin rights needed).

#ifndef AppVersion
  #define AppVersion "0.0.0"
#endif
#define SourceDir "..\..\dist\ttcplanner"

[Setup]
AppId={{6E0D8B9A-3C4F-4E55-9F3A-2B7C1D5E8A41}
AppName=ttcplanner
AppVersion={#AppVersion}
AppPublisher=ttcplanner developers
DefaultDirName={autopf}\ttcplanner
DefaultGroupName=ttcplanner
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir=..\..\dist
OutputBaseFilename=ttcplanner-{#AppVersion}-windows-x64-setup
SetupIconFile=..\..\resources\icons\ttcplanner.ico
UninstallDisplayIcon={app}\ttcplanner-gui.exe
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "{#SourceDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
; ttcplanner-gui.exe is the windowed build (no console); ttcplanner.exe keeps a console for the CLI.
Name: "{group}\ttcplanner"; Filename: "{app}\ttcplanner-gui.exe"
Name: "{group}\Uninstall ttcplanner"; Filename: "{uninstallexe}"
Name: "{autodesktop}\ttcplanner"; Filename: "{app}\ttcplanner-gui.exe"; Tasks: desktopicon

[Run]
Filename: "{app}\ttcplanner-gui.exe"; Description: "{cm:LaunchProgram,ttcplanner}"; Flags: nowait postinstall skipifsilent
