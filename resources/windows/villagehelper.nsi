; VillageHelper's Windows installer (NSIS 3, Unicode): one setup .exe that a volunteer
; runs from a USB stick without admin rights and without a network.
;
; Built by scripts/build_windows_installer.py, which passes:
;   VERSION        the app's version, e.g. 0.1.0
;   VERSION_QUAD   the same as four numbers, e.g. 0.1.0.0 (Windows' file version)
;   BUNDLE_FILES   an include file that installs the one-folder bundle (dist/VillageHelper)
;   BUNDLE_REMOVE  an include file that removes exactly what BUNDLE_FILES installed
;   OUTFILE        where the setup .exe goes
;   APP_ICON       the app's icon (resources/villagehelper.ico), for the installer too
;   TARGET         amd64-unicode where this NSIS has its stubs (Debian's has), else unset:
;                  the 32-bit installer, which 64-bit Windows runs as well
;
; What it does (docs/packaging-windows.md):
; - installs for the current user only, into %LOCALAPPDATA%\Programs\VillageHelper;
; - a Start-menu shortcut to villagehelper-app.exe (windowed: no console window);
; - the install folder on the user's PATH, so a scheduled `villagehelper sync` finds it;
; - installing over an older version first removes that version's files (its own
;   uninstaller, silently), so no stale library of the old version is left behind;
; - the uninstaller removes the program, its shortcut and its PATH entry, and never the
;   data folder %LOCALAPPDATA%\VillageHelper (villagehelper/paths.py), which is also
;   refused as an install folder: removing only the files the installer listed keeps
;   the data safe even then.
; - while the app (or a command, e.g. a scheduled sync) runs, its files cannot be
;   replaced: the person is asked to close it and retry.
; Exit codes of a silent run (/S): 0 done, 2 the folder was refused, 3 the app was open.

!ifdef TARGET
  Target ${TARGET}
!else
  Unicode true
!endif
ManifestDPIAware true
RequestExecutionLevel user
SetCompressor /SOLID lzma

!include "MUI2.nsh"
!include "LogicLib.nsh"
!include "StrFunc.nsh"
!include "FileFunc.nsh"
!include "WinMessages.nsh"

${Using:StrFunc} StrStr
${Using:StrFunc} UnStrStr
${Using:StrFunc} UnStrRep

!define APP_NAME "VillageHelper"
!define APP_EXE "villagehelper-app.exe"
!define CLI_EXE "villagehelper.exe"
; Settings of the installer itself (the install folder, the language chosen).
!define REGKEY "Software\VillageHelper"
!define UNINSTALL_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\VillageHelper"
; Where the app keeps its data on Windows: platformdirs' user data folder, not roaming.
!define DATA_DIR "$LOCALAPPDATA\VillageHelper"

Name "${APP_NAME} ${VERSION}"
OutFile "${OUTFILE}"
InstallDir "$LOCALAPPDATA\Programs\VillageHelper"
InstallDirRegKey HKCU "${REGKEY}" "InstallDir"
BrandingText "${APP_NAME} ${VERSION}"

VIProductVersion "${VERSION_QUAD}"
VIAddVersionKey /LANG=0 "ProductName" "${APP_NAME}"
VIAddVersionKey /LANG=0 "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=0 "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=0 "FileDescription" "${APP_NAME} Setup"
VIAddVersionKey /LANG=0 "LegalCopyright" "GPL-3.0-or-later"

!define MUI_ABORTWARNING
!define MUI_ICON "${APP_ICON}"
!define MUI_UNICON "${APP_ICON}"
!define MUI_LANGDLL_REGISTRY_ROOT HKCU
!define MUI_LANGDLL_REGISTRY_KEY "${REGKEY}"
!define MUI_LANGDLL_REGISTRY_VALUENAME "InstallerLanguage"
!define MUI_LANGDLL_ALLLANGUAGES
!define MUI_LANGDLL_WINDOWTITLE "VillageHelper"
!define MUI_LANGDLL_INFO "Chọn ngôn ngữ / Choose a language"

!insertmacro MUI_PAGE_WELCOME
!define MUI_PAGE_CUSTOMFUNCTION_LEAVE DirectoryLeave
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!define MUI_FINISHPAGE_RUN "$INSTDIR\${APP_EXE}"
!insertmacro MUI_PAGE_FINISH

!define MUI_UNCONFIRMPAGE_TEXT_TOP "$(DataKept)"
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES

; Vietnamese first: the default when the person's Windows speaks neither.
!insertmacro MUI_LANGUAGE "Vietnamese"
!insertmacro MUI_LANGUAGE "English"
!insertmacro MUI_RESERVEFILE_LANGDLL

LangString DataKept ${LANG_VIETNAMESE} "Gỡ VillageHelper khỏi máy. Dữ liệu của bạn trong ${DATA_DIR} được giữ nguyên; xoá thư mục đó bằng tay nếu thật sự không cần nữa."
LangString DataKept ${LANG_ENGLISH} "This removes VillageHelper. Your data in ${DATA_DIR} is kept; delete that folder by hand only if you really no longer need it."
LangString BadFolder ${LANG_VIETNAMESE} "Không thể cài vào $INSTDIR: thư mục này trùng với thư mục dữ liệu ${DATA_DIR} hoặc chứa nó. Hãy chọn thư mục khác, ví dụ $LOCALAPPDATA\Programs\VillageHelper."
LangString BadFolder ${LANG_ENGLISH} "Cannot install into $INSTDIR: it is, or holds, the data folder ${DATA_DIR}. Choose another folder, e.g. $LOCALAPPDATA\Programs\VillageHelper."
LangString PathTooLong ${LANG_VIETNAMESE} "Biến PATH của bạn quá dài để sửa an toàn nên chưa thêm VillageHelper vào đó. Lịch đồng bộ hãy gọi thẳng $INSTDIR\${CLI_EXE}."
LangString PathTooLong ${LANG_ENGLISH} "Your PATH is too long to change safely, so VillageHelper was not added to it. Scheduled syncs should call $INSTDIR\${CLI_EXE} by its full path."
LangString PathLeft ${LANG_VIETNAMESE} "Biến PATH của bạn quá dài để sửa an toàn: hãy tự xoá $INSTDIR khỏi PATH."
LangString PathLeft ${LANG_ENGLISH} "Your PATH is too long to change safely: remove $INSTDIR from it by hand."
LangString AppRunning ${LANG_VIETNAMESE} "VillageHelper đang mở, hoặc một lệnh villagehelper đang chạy (ví dụ đồng bộ theo lịch). Hãy đóng ứng dụng, đợi lệnh chạy xong, rồi bấm Thử lại."
LangString AppRunning ${LANG_ENGLISH} "VillageHelper is open, or a villagehelper command is running (e.g. a scheduled sync). Close the app, let the command finish, then click Retry."
LangString Removing ${LANG_VIETNAMESE} "Gỡ bản cũ trong $0…"
LangString Removing ${LANG_ENGLISH} "Removing the older version in $0…"

; The user's PATH as the registry holds it, %VARIABLES% unexpanded.  NSIS strings hold
; NSIS_MAX_STRLEN characters: ReadRegStr gives a longer value as "" with the error flag
; (as it does a missing one), and writing anything back would lose the person's entries,
; so such a PATH is left alone (and the person told).
!define /math PATH_LIMIT ${NSIS_MAX_STRLEN} - 2

; $0: the user's PATH; $R6: "unreadable" when it exists but is too long to read.
!macro ReadUserPath un
Function ${un}ReadUserPath
  StrCpy $R6 ""
  ClearErrors
  ReadRegStr $0 HKCU "Environment" "Path"
  ${IfNot} ${Errors}
    Return
  ${EndIf}
  StrCpy $0 ""
  StrCpy $R7 0
  next_value:
    EnumRegValue $R8 HKCU "Environment" $R7
    ${If} $R8 == ""
      Return  ; no PATH of the person's own: "" it is
    ${EndIf}
    ${If} $R8 == "Path"
      StrCpy $R6 "unreadable"
      Return
    ${EndIf}
    IntOp $R7 $R7 + 1
    Goto next_value
FunctionEnd
!macroend
!insertmacro ReadUserPath ""
!insertmacro ReadUserPath "un."

Function CheckInstallFolder
  ; $0: "bad" when $INSTDIR is the data folder, lies inside it, or holds it.
  StrCpy $0 ""
  StrLen $1 "${DATA_DIR}"
  StrCpy $2 "$INSTDIR" $1
  ${If} $2 == "${DATA_DIR}"
    StrCpy $3 "$INSTDIR" 1 $1
    ${If} $3 == ""
    ${OrIf} $3 == "\"
      StrCpy $0 "bad"
    ${EndIf}
  ${EndIf}
  StrLen $1 "$INSTDIR"
  StrCpy $2 "${DATA_DIR}" $1
  ${If} $2 == "$INSTDIR"
    StrCpy $0 "bad"
  ${EndIf}
FunctionEnd

Function .onInit
  SetShellVarContext current
  ; Offered first whatever Windows' own language (a volunteer's laptop often runs an
  ; English Windows); the choice made last time, if any, wins.
  StrCpy $LANGUAGE ${LANG_VIETNAMESE}
  !insertmacro MUI_LANGDLL_DISPLAY
FunctionEnd

Function DirectoryLeave
  Call CheckInstallFolder
  ${If} $0 == "bad"
    MessageBox MB_OK|MB_ICONSTOP "$(BadFolder)"
    Abort  ; back to the folder page
  ${EndIf}
FunctionEnd

; A program that is running cannot be replaced or removed: Windows keeps its file
; locked.  Opening it for writing tells, without changing it.  $R1: the folder.
!macro WaitUntilClosed un
Function ${un}WaitUntilClosed
  check:
    StrCpy $R5 ""
    ${If} ${FileExists} "$R1\${APP_EXE}"
      ClearErrors
      FileOpen $R3 "$R1\${APP_EXE}" a
      ${If} ${Errors}
        StrCpy $R5 "busy"
      ${Else}
        FileClose $R3
      ${EndIf}
    ${EndIf}
    ${If} ${FileExists} "$R1\${CLI_EXE}"
      ClearErrors
      FileOpen $R3 "$R1\${CLI_EXE}" a
      ${If} ${Errors}
        StrCpy $R5 "busy"
      ${Else}
        FileClose $R3
      ${EndIf}
    ${EndIf}
    ${If} $R5 == "busy"
      MessageBox MB_RETRYCANCEL|MB_ICONEXCLAMATION "$(AppRunning)" /SD IDCANCEL IDRETRY check
      SetErrorLevel 3
      Quit
    ${EndIf}
FunctionEnd
!macroend
!insertmacro WaitUntilClosed ""
!insertmacro WaitUntilClosed "un."

Function AddToUserPath
  Call ReadUserPath
  StrLen $1 "$0;$INSTDIR"
  ${If} $1 > ${PATH_LIMIT}
  ${OrIf} $R6 == "unreadable"
    DetailPrint "$(PathTooLong)"
    MessageBox MB_OK|MB_ICONEXCLAMATION "$(PathTooLong)" /SD IDOK
    Return
  ${EndIf}
  ${StrStr} $2 ";$0;" ";$INSTDIR;"
  ${If} $2 != ""
    Return  ; already there (an upgrade, or added by hand)
  ${EndIf}
  ${If} $0 == ""
    StrCpy $0 "$INSTDIR"
  ${Else}
    StrCpy $2 $0 "" -1
    ${If} $2 == ";"
      StrCpy $0 "$0$INSTDIR"
    ${Else}
      StrCpy $0 "$0;$INSTDIR"
    ${EndIf}
  ${EndIf}
  WriteRegExpandStr HKCU "Environment" "Path" $0
  ; Programs started after this (Explorer, Task Scheduler) see the new PATH.
  SendMessage ${HWND_BROADCAST} ${WM_SETTINGCHANGE} 0 "STR:Environment" /TIMEOUT=2000
FunctionEnd

Function RemoveOlderVersion
  ; An earlier install (found through the registry) removes its own files first.
  ReadRegStr $0 HKCU "${REGKEY}" "InstallDir"
  ${If} $0 != ""
  ${AndIf} ${FileExists} "$0\uninstall.exe"
    StrCpy $R1 $0
    Call WaitUntilClosed
    DetailPrint "$(Removing)"
    ; _?= runs the old uninstaller in place and waits for it.
    ExecWait '"$0\uninstall.exe" /S _?=$0'
    Delete "$0\uninstall.exe"
    RMDir "$0"
  ${EndIf}
FunctionEnd

Section "VillageHelper" SecApp
  SectionIn RO
  SetShellVarContext current
  Call CheckInstallFolder
  ${If} $0 == "bad"
    MessageBox MB_OK|MB_ICONSTOP "$(BadFolder)" /SD IDOK
    SetErrorLevel 2
    Quit
  ${EndIf}
  StrCpy $R1 $INSTDIR
  Call WaitUntilClosed
  Call RemoveOlderVersion

  SetOutPath "$INSTDIR"
  !include /CHARSET=UTF8 "${BUNDLE_FILES}"
  SetOutPath "$INSTDIR"
  WriteUninstaller "$INSTDIR\uninstall.exe"

  CreateShortCut "$SMPROGRAMS\${APP_NAME}.lnk" "$INSTDIR\${APP_EXE}" "" "$INSTDIR\${APP_EXE}" 0
  Call AddToUserPath

  WriteRegStr HKCU "${REGKEY}" "InstallDir" "$INSTDIR"
  WriteRegStr HKCU "${REGKEY}" "Version" "${VERSION}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayName" "${APP_NAME}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "Publisher" "${APP_NAME}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayIcon" "$INSTDIR\${APP_EXE}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKCU "${UNINSTALL_KEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoModify" 1
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoRepair" 1
  ${GetSize} "$INSTDIR" "/S=0K" $0 $1 $2
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "EstimatedSize" $0
SectionEnd

Function un.onInit
  SetShellVarContext current
  !insertmacro MUI_UNGETLANGUAGE
FunctionEnd

Function un.RemoveFromUserPath
  Call un.ReadUserPath
  StrLen $1 $0
  ${If} $1 > ${PATH_LIMIT}
  ${OrIf} $R6 == "unreadable"
    DetailPrint "$(PathLeft)"
    MessageBox MB_OK|MB_ICONEXCLAMATION "$(PathLeft)" /SD IDOK
    Return
  ${EndIf}
  ${UnStrStr} $2 ";$0;" ";$INSTDIR;"
  ${If} $2 == ""
    Return
  ${EndIf}
  ${UnStrRep} $1 ";$0;" ";$INSTDIR;" ";"
  StrCpy $1 $1 "" 1  ; the ";" added in front
  StrCpy $1 $1 -1    ; and the one behind
  ${If} $1 == ""
    DeleteRegValue HKCU "Environment" "Path"
  ${Else}
    WriteRegExpandStr HKCU "Environment" "Path" $1
  ${EndIf}
  SendMessage ${HWND_BROADCAST} ${WM_SETTINGCHANGE} 0 "STR:Environment" /TIMEOUT=2000
FunctionEnd

Section "Uninstall"
  SetShellVarContext current
  StrCpy $R1 $INSTDIR
  Call un.WaitUntilClosed
  ; Only what the installer put there: never RMDir /r $INSTDIR, which could hold
  ; anything the person chose to keep beside the program.
  !include /CHARSET=UTF8 "${BUNDLE_REMOVE}"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
  Delete "$SMPROGRAMS\${APP_NAME}.lnk"
  Call un.RemoveFromUserPath
  DeleteRegKey HKCU "${UNINSTALL_KEY}"
  ; Last: the smoke test takes this key's going as the uninstaller's end.
  DeleteRegKey HKCU "${REGKEY}"
  DetailPrint "$(DataKept)"
SectionEnd
