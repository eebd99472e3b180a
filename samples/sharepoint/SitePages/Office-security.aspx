<%@ Page language="C#" MasterPageFile="~masterurl/default.master" Inherits="Microsoft.SharePoint.WebPartPages.WebPartPage,Microsoft.SharePoint,Version=16.0.0.0,Culture=neutral,PublicKeyToken=71e9bce111e9429c" %>
<html xmlns:mso="urn:schemas-microsoft-com:office:office" xmlns:msdt="uuid:C2F41010-65B3-11d1-A29F-00AA00C14882"><head>
<!--[if gte mso 9]><SharePoint:CTFieldRefs runat=server Prefix="mso:" FieldList="FileLeafRef,Title,CanvasContent1"><xml>
<mso:CustomDocumentProperties>
<mso:ContentTypeId msdt:dt="string">0x0101009D1CB255DA76424F860D91F20E6C4118</mso:ContentTypeId>
<mso:Title msdt:dt="string">Office security</mso:Title>
<mso:PromotedState msdt:dt="string">0</mso:PromotedState>
<mso:FirstPublishedDate msdt:dt="string">2026-02-10T08:00:00Z</mso:FirstPublishedDate>
<mso:CanvasContent1 msdt:dt="string">&lt;div&gt;&lt;div data-sp-canvascontrol=&quot;&quot; data-sp-canvasdataversion=&quot;1.0&quot; data-sp-controldata=&quot;{&amp;quot;controlType&amp;quot;:4,&amp;quot;id&amp;quot;:&amp;quot;1&amp;quot;}&quot;&gt;&lt;div data-sp-rte=&quot;&quot;&gt;&lt;h2&gt;Badges&lt;/h2&gt;&lt;p&gt;Wear your badge visibly in all offices. Visitors sign in at reception and are accompanied at all times.&lt;/p&gt;&lt;h2&gt;Lost badge&lt;/h2&gt;&lt;p&gt;Report a lost badge to reception on ext. 100 the same day; a replacement costs nothing the first time.&lt;/p&gt;&lt;/div&gt;&lt;/div&gt;&lt;/div&gt;</mso:CanvasContent1>
</mso:CustomDocumentProperties>
</xml></SharePoint:CTFieldRefs><![endif]-->
<title>Office security</title></head>
<body></body></html>
