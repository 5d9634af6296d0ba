"""Every cPanel API 2 function: the universe `python -m shim coverage` counts against.

Names only (module → functions), as callable through json-api/cpanel with apiversion 2;
gathered from cPanel's API 2 documentation and the 11.120 implementation during the
project's research. The shim must not read the research folder at run time, so the list
lives here; tests/test_coverage.py checks it against the reference table when present.
"""

from __future__ import annotations

API2_FUNCTIONS: dict[str, tuple[str, ...]] = {
    "AddonDomain": ("addaddondomain", "deladdondomain", "listaddondomains"),
    "Backups": ("listfullbackups",),
    "Bandwidth": ("addhttpbandwidth",),
    "BoxTrapper": ("accountmanagelist",),
    "Branding": (
        "addbrandingobj", "applist", "brandingeditor", "createpkg", "cssmerge", "delbrandingobj", "delpkg",
        "gensprites", "getbrandingpkg", "getbrandingpkgstatus", "getdefaultbrandingpkg", "installbrandingpkgs",
        "installimages", "killimgs", "listimgtypes", "listobjecttypes", "preloadconf", "resetall", "resetcss",
        "resethtml", "resolve_file", "resolvelocalcss", "savelocalcss", "setbrandingpkgstatus", "showpkgs",
    ),
    "Contactus": ("isenabled", "sendcontact"),
    "Cron": ("add_line", "edit_line", "fetchcron", "get_email", "listcron", "remove_line", "set_email"),
    "CSVImport": (
        "columnchoices", "configimport", "data", "fetchimportdata", "isenabled", "loaddata", "processdata",
        "uploadimport",
    ),
    "CustInfo": ("contactemails", "contactprefs", "displaycontactinfo", "savecontactinfo"),
    "DBmap": ("status", "version"),
    "DenyIp": ("listdenyips",),
    "DiskCounter": ("disk_counter",),
    "DiskUsage": ("buildcache", "clearcache", "fetch_raw_disk_usage", "fetchdiskusage", "fetchdiskusagewithextras"),
    "DnsLookup": ("name2ip",),
    "DomainLookup": ("countbasedomains", "getbasedomains", "getdocroot", "getdocroots", "getmaindomain"),
    "Email": (
        "accountname", "adddomainforward", "addforward", "addmx", "addpop", "browseboxes", "changemx",
        "checkmaindiscard", "clearpopcache", "deletefilter", "delforward", "delmx", "delpop", "disablefilter",
        "editquota", "enablefilter", "fetchautoresponder", "fetchcharmaps", "filteractions", "filterlist",
        "filtername", "filterrules", "get_archiving_configuration", "get_archiving_default_configuration",
        "get_archiving_types", "get_default_email_quota", "get_default_email_quota_mib", "get_email_signing",
        "get_max_email_quota", "get_max_email_quota_mib", "getabsbrowsedir", "getalwaysaccept", "getdiskusage",
        "getmxcheck", "has_delegated_mailman_lists", "list_system_filter_info", "listaliasbackups",
        "listautoresponders", "listdefaultaddresses", "listdomainforwards", "listfilterbackups", "listfilters",
        "listforwards", "listlists", "listmaildomains", "listmx", "listmxs", "listpops", "listpopssingle",
        "listpopswithdisk", "listpopswithimage", "loadfilter", "passwdpop", "reorderfilters",
        "set_archiving_configuration", "set_archiving_default_configuration", "set_email_signing", "setalwaysaccept",
        "setdefaultaddress", "setmxcheck", "storefilter", "tracefilter",
    ),
    "EmailTrack": ("search", "stats", "trace"),
    "Encoding": ("get_encodings", "guess_file", "guess_file_opts"),
    "Fileman": (
        "autocompletedir", "fileop", "getabsdir", "getdir", "getdiractions", "getdiskinfo", "getedittype",
        "getfileactions", "getpath", "listfiles", "mkdir", "mkfile", "savefile", "search", "statfiles", "uploadfiles",
        "viewfile",
    ),
    "ForcePassword": ("get_force_password_flags", "update_force_password_flags"),
    "FSTest": ("dirisempty",),
    "Ftp": ("addftp", "delftp", "listftp", "listftpsessions", "listftpwithdisk", "passwd", "setquota"),
    "Gpg": ("listgpgkeys", "listsecretgpgkeys", "number_of_private_keys", "number_of_public_keys"),
    "Htaccess": ("listuser", "listusers"),
    "HttpUtils": ("getdirindices",),
    "ImageManager": ("thumbnail",),
    "LangMods": (
        "getarchname", "getkey", "getprefix", "install", "langlist", "list_available", "list_installed",
        "magic_status", "pre_run", "search", "setup", "uninstall", "update",
    ),
    "LeechProtect": ("setup",),
    "Locale": (
        "get_encoding", "get_html_dir_attr", "get_locale_name", "get_user_locale", "get_user_locale_name", "numf",
    ),
    "Mime": ("list_hotlinks", "listhandlers", "listmime", "listredirects", "redirectname", "redirecturlname"),
    "MysqlFE": (
        "authorizehost", "changedbuserpassword", "createdb", "createdbuser", "dbuserexists", "deauthorizehost",
        "deletedb", "deletedbuser", "getalldbsinfo", "getalldbusersanddbs", "getdbuserprivileges", "getdbusers",
        "gethosts", "getmysqlprivileges", "getmysqlserverprivileges", "has_mycnf_for_cpuser", "listdbs",
        "listdbsbackup", "listhosts", "listusers", "listusersindb", "revokedbuserprivileges", "setdbuserprivileges",
        "userdbprivs",
    ),
    "Net": ("dnszone", "traceroute"),
    "News": ("does_news_exist", "does_news_type_exist", "get_news"),
    "NVData": ("get", "set", "setall"),
    "Park": ("listaddondomains", "listparkeddomains", "park", "unpark"),
    "Passwd": ("change_password", "set_digest_auth"),
    "PasswdStrength": ("appstrengths", "get_password_strength", "get_required_strength"),
    "PHPINI": ("getalloptions", "getoptions"),
    "Postgres": ("listdbs", "listusers", "listusersindb", "userexists"),
    "Rand": ("getranddata",),
    "Resellers": ("get_sub_accounts",),
    "RoR": (
        "addapp", "changeapp", "importrails", "listapps", "listrewrites", "needsimport", "removeapp", "removerewrite",
        "restartapp", "setuprewrite", "softrestartapp", "startapp", "stopapp",
    ),
    "SetLang": ("setlocale",),
    "SourceIPCheck": (
        "addip", "delip", "getaccount", "listips", "loadsecquestions", "resetsecquestions", "samplequestions",
        "savesecquestions",
    ),
    "SSH": ("authkey", "converttoppk", "delkey", "fetchkey", "genkey", "genkey_legacy", "importkey", "listkeys"),
    "SSL": (
        "fetchcabundle", "fetchinfo", "gencrt", "gencsr", "genkey", "getcnname", "installssl", "listcrts", "listcsrs",
        "listkeys", "listsslitems", "uploadcrt", "uploadkey",
    ),
    "SSLInfo": ("fetchinfo",),
    "Stats": (
        "getmonthlybandwidth", "getmonthlydomainbandwidth", "getthismonthsbwusage", "lastapachehits", "lastvisitors",
        "listanalog", "listawstats", "listlastvisitors", "listrawlogs", "listwebalizer",
    ),
    "StatsBar": ("getrowcounter", "rowcounter", "setrowcounter", "stat"),
    "SubDomain": (
        "addsubdomain", "changedocroot", "delsubdomain", "getreservedsubdomains", "listsubdomains", "validregex",
    ),
    "Themes": ("get_available_themes",),
    "UI": ("dynamicincludelist", "includelist", "listform", "paginate", "paginate_list"),
    "UserHttpUtils": ("getdirindices",),
    "WebDisk": (
        "addwebdisk", "delwebdisk", "hasdigest", "listwebdisks", "passwdwebdisk", "set_digest_auth", "set_homedir",
        "set_perms", "setstatus",
    ),
    "WebmailApps": ("listwebmailapps",),
    "ZoneEdit": (
        "add_zone_record", "edit_zone_record", "fetch_cpanel_generated_domains", "fetchzone", "fetchzone_records",
        "fetchzones", "get_zone_record", "remove_zone_record", "resetzone",
    ),
}

API2_FUNCTION_COUNT = sum(len(functions) for functions in API2_FUNCTIONS.values())
