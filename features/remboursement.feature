# language: fr
Fonctionnalité: Remboursement de l'amende après le stage obligatoire
  Le stage obligatoire suivi dans les délais se substitue à l'amende (R20) : le conducteur peut
  demander le remboursement du montant payé (R45, R49) dans les 15 jours ouvrables suivant la fin
  du stage (R46, D6 ; 15 jours calendaires pour un stage fini avant le 01/04/2026).

  @R20 @R45 @R46 @R48 @R49 @D6
  Plan du scénario: Montant et date limite de la demande de remboursement
    Étant donné un permis probatoire obtenu le 01/09/2024
    Et une infraction de 3 points commise le 01/10/2025 (amende forfaitaire de <amende> €)
    Quand la lettre 48N est reçue le <réception>
    Et le conducteur suit le stage des <jour 1> et <jour 2>
    Et l'attestation est reçue et validée le <jour 2>
    Alors l'obligation de stage est remplie
    Et le remboursement est de <amende> € à demander avant le <date limite>

    Exemples:
      | amende | réception  | jour 1     | jour 2     | date limite |
      | 135    | 10/03/2026 | 05/06/2026 | 06/06/2026 | 24/06/2026  |
      | 90     | 10/03/2026 | 12/05/2026 | 13/05/2026 | 02/06/2026  |
      | 135    | 31/10/2025 | 27/02/2026 | 28/02/2026 | 15/03/2026  |

  @R45
  Scénario: Une amende de composition pénale n'est pas remboursée
    Étant donné un permis probatoire obtenu le 01/09/2025
    Et une infraction de 3 points commise le 01/02/2026 (amende de composition pénale de 300 €)
    Quand la lettre 48N est reçue le 10/03/2026
    Et le conducteur suit le stage des 05/06/2026 et 06/06/2026
    Et l'attestation est reçue et validée le 10/06/2026
    Alors l'obligation de stage est remplie
    Et aucun remboursement n'est dû (R45)
    # la décision est notifiée au conducteur, même quand elle refuse le remboursement
    Et un courrier « Décision relative au remboursement de l'amende » est joint au dossier

  @R22 @R25 @R20
  Scénario: Un stage obligatoire moins d'un an après un autre ne rapporte rien mais remplit l'obligation
    Étant donné un permis probatoire obtenu le 01/09/2024
    Et une infraction de 2 points commise le 01/02/2025
    Et le conducteur a suivi un stage volontaire des 06/06/2025 et 07/06/2025 crédité le 10/06/2025
    Et une infraction de 3 points commise le 01/02/2026
    Quand la lettre 48N est reçue le 10/03/2026
    Et le conducteur suit le stage des 05/06/2026 et 06/06/2026
    Et l'attestation est reçue et validée le 08/06/2026
    Alors l'obligation de stage est remplie
    Et aucun point n'est crédité (R25)
    Et le remboursement est de 135 € à demander avant le 24/06/2026

  @R42 @R48 @R43
  Scénario: Une 48SI notifiée avant le stage mais enregistrée après l'attestation refuse aussi le remboursement
    Étant donné un permis probatoire obtenu le 01/09/2025 avec 3 points
    Et la lettre 48N a été reçue le 10/03/2026
    Et une session est programmée les 05/06/2026 et 06/06/2026 avec 5 autres stagiaires
    Et le conducteur s'inscrit à cette session
    Quand le conducteur est présent les deux jours
    Et l'attestation est reçue et validée le 08/06/2026
    Et la 48SI est notifiée le 01/06/2026 (décision du 25/05/2026)
    Alors aucun point n'est crédité (R42)
    Et aucun remboursement n'est dû (R42)
    Et le dossier porte le signalement R42
    Et aucun changement de résultat n'attend de validation
    Et l'historique du dossier mentionne « R42 appliquée sans validation (décision LD8) »

  @R45
  Scénario: Une amende non renseignée n'est pas une amende impayée : l'agent doit vérifier
    Étant donné un permis probatoire obtenu le 01/09/2025
    Et une infraction de 3 points commise le 01/02/2026 sans renseignement sur l'amende
    Et la lettre 48N a été reçue le 10/03/2026
    Et une session est programmée les 05/06/2026 et 06/06/2026 avec 5 autres stagiaires
    Et le conducteur s'inscrit à cette session
    Quand le conducteur est présent les deux jours
    Et l'attestation est reçue et validée le 08/06/2026
    Alors 3 points sont crédités
    Et le remboursement est à vérifier par l'agent (R45)

  @R48 @Q7
  Scénario: Après un changement de règle, le résultat recalculé attend la validation d'un agent
    Étant donné un permis probatoire obtenu le 01/09/2025 avec 3 points
    Et la lettre 48N a été reçue le 10/03/2026
    Quand le temps passe jusqu'au 11/07/2026
    Et le conducteur suit le stage des 17/07/2026 et 18/07/2026
    Et l'attestation est reçue et validée le 20/07/2026
    Alors aucun remboursement n'est dû (R48)
    Quand l'administrateur passe le réglage CFG_REFUND_REQUIRES_DEADLINE à false
    Et les règles sont rejouées
    Alors le dossier affiche « Changement de résultat à valider » pour la règle R48
    Et aucun remboursement n'est dû (R48)
    Quand un agent valide le changement de résultat
    Alors le remboursement est de 135 € à demander avant le 05/08/2026
    Et aucun changement de résultat n'attend de validation
    Et l'historique du dossier mentionne « resultat_recalcule »

  @R48 @Q7
  Scénario: Un agent écarte le résultat recalculé avec son motif : le résultat enregistré reste
    Étant donné un permis probatoire obtenu le 01/09/2025 avec 3 points
    Et la lettre 48N a été reçue le 10/03/2026
    Quand le temps passe jusqu'au 11/07/2026
    Et le conducteur suit le stage des 17/07/2026 et 18/07/2026
    Et l'attestation est reçue et validée le 20/07/2026
    Et l'administrateur passe le réglage CFG_REFUND_REQUIRES_DEADLINE à false
    Et les règles sont rejouées
    Et un agent écarte le changement de résultat pour « Décision de refus déjà notifiée »
    Alors aucun remboursement n'est dû (R48)
    Et aucun changement de résultat n'attend de validation
    Et l'historique du dossier mentionne « Décision de refus déjà notifiée »
